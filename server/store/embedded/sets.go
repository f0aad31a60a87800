package embedded

import (
	bolt "go.etcd.io/bbolt"
)

var memberPresent = []byte{1}

func cmdSAdd(c *cmdCtx) (any, error) {
	ik := ikey(c.args[0])
	old, had, err := lookupW(c.tx, ik, c.now)
	if err != nil {
		return nil, err
	}
	if had && old.typ != typeSet {
		return nil, errWrongType
	}
	b, err := c.tx.Bucket(bktSets).CreateBucketIfNotExists(ik)
	if err != nil {
		return nil, err
	}
	var added int64
	for _, m := range c.args[1:] {
		mk := mkey(m)
		if b.Get(mk) == nil {
			if err := b.Put(mk, memberPresent); err != nil {
				return nil, err
			}
			added++
		}
	}
	if added > 0 || !had {
		r := record{typ: typeSet, exp: old.exp, card: old.card + added}
		if err := putRecord(c.tx, ik, r, old, had); err != nil {
			return nil, err
		}
	}
	return added, nil
}

func cmdSRem(c *cmdCtx) (any, error) {
	ik := ikey(c.args[0])
	old, had, err := lookupW(c.tx, ik, c.now)
	if err != nil {
		return nil, err
	}
	if !had {
		return int64(0), nil
	}
	if old.typ != typeSet {
		return nil, errWrongType
	}
	b := c.tx.Bucket(bktSets).Bucket(ik)
	var removed int64
	if b != nil {
		for _, m := range c.args[1:] {
			mk := mkey(m)
			if b.Get(mk) != nil {
				if err := b.Delete(mk); err != nil {
					return nil, err
				}
				removed++
			}
		}
	}
	if removed == 0 {
		return int64(0), nil
	}
	r := old
	r.card -= removed
	if r.card <= 0 {
		return removed, deleteKey(c.tx, ik, old)
	}
	return removed, putRecord(c.tx, ik, r, old, true)
}

func liveSet(c *cmdCtx) (*bolt.Bucket, record, bool, error) {
	ik := ikey(c.args[0])
	r, ok := lookup(c.tx, ik, c.now)
	if !ok {
		return nil, r, false, nil
	}
	if r.typ != typeSet {
		return nil, r, false, errWrongType
	}
	return c.tx.Bucket(bktSets).Bucket(ik), r, true, nil
}

func cmdSMembers(c *cmdCtx) (any, error) {
	b, _, ok, err := liveSet(c)
	if err != nil {
		return nil, err
	}
	out := []any{}
	if !ok || b == nil {
		return out, nil
	}
	err = b.ForEach(func(k, _ []byte) error {
		out = append(out, append([]byte{}, k[1:]...))
		return nil
	})
	return out, err
}

func cmdSCard(c *cmdCtx) (any, error) {
	_, r, ok, err := liveSet(c)
	if err != nil || !ok {
		return int64(0), err
	}
	return r.card, nil
}

func cmdSIsMember(c *cmdCtx) (any, error) {
	b, _, ok, err := liveSet(c)
	if err != nil || !ok || b == nil {
		return int64(0), err
	}
	if b.Get(mkey(c.args[1])) != nil {
		return int64(1), nil
	}
	return int64(0), nil
}

func cmdSMIsMember(c *cmdCtx) (any, error) {
	b, _, ok, err := liveSet(c)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(c.args)-1)
	for i, m := range c.args[1:] {
		out[i] = int64(0)
		if ok && b != nil && b.Get(mkey(m)) != nil {
			out[i] = int64(1)
		}
	}
	return out, nil
}
