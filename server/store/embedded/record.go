package embedded

import (
	"encoding/binary"
	"errors"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// record is the stored form of one Redis key.
type record struct {
	typ  byte
	exp  int64 // unix ms; 0 = no expiry
	val  []byte
	card int64 // for sets
}

func ikey(key []byte) []byte {
	b := make([]byte, 1+len(key))
	b[0] = 'k'
	copy(b[1:], key)
	return b
}

func mkey(member []byte) []byte {
	b := make([]byte, 1+len(member))
	b[0] = 'm'
	copy(b[1:], member)
	return b
}

func encodeRecord(r record) []byte {
	n := 9 + len(r.val)
	if r.typ == typeSet {
		n = 17
	}
	b := make([]byte, n)
	b[0] = r.typ
	binary.BigEndian.PutUint64(b[1:9], uint64(r.exp))
	if r.typ == typeSet {
		binary.BigEndian.PutUint64(b[9:17], uint64(r.card))
	} else {
		copy(b[9:], r.val)
	}
	return b
}

// getRecord reads a record regardless of expiry; the value is copied.
func getRecord(tx *bolt.Tx, ik []byte) (record, bool) {
	v := tx.Bucket(bktRedis).Get(ik)
	if len(v) < 9 {
		return record{}, false
	}
	r := record{typ: v[0], exp: int64(binary.BigEndian.Uint64(v[1:9]))}
	if r.typ == typeSet {
		if len(v) >= 17 {
			r.card = int64(binary.BigEndian.Uint64(v[9:17]))
		}
	} else {
		r.val = append([]byte{}, v[9:]...)
	}
	return r, true
}

// lookup reads a live record: an expired one counts as missing.
func lookup(tx *bolt.Tx, ik []byte, now int64) (record, bool) {
	r, ok := getRecord(tx, ik)
	if !ok || (r.exp != 0 && r.exp <= now) {
		return record{}, false
	}
	return r, true
}

// lookupW is lookup for write transactions: an expired record is deleted first, so the
// caller starts from a clean slate.
func lookupW(tx *bolt.Tx, ik []byte, now int64) (record, bool, error) {
	r, ok := getRecord(tx, ik)
	if !ok {
		return record{}, false, nil
	}
	if r.exp != 0 && r.exp <= now {
		return record{}, false, deleteKey(tx, ik, r)
	}
	return r, true, nil
}

func expKey(exp int64, ik []byte) []byte {
	b := make([]byte, 8+len(ik))
	binary.BigEndian.PutUint64(b[:8], uint64(exp))
	copy(b[8:], ik)
	return b
}

// putRecord writes r, keeping the expiry index in step with the previous record (old,
// if hadOld).
func putRecord(tx *bolt.Tx, ik []byte, r record, old record, hadOld bool) error {
	exp := tx.Bucket(bktExp)
	if hadOld && old.exp != 0 && old.exp != r.exp {
		if err := exp.Delete(expKey(old.exp, ik)); err != nil {
			return err
		}
	}
	if r.exp != 0 && (!hadOld || old.exp != r.exp) {
		if err := exp.Put(expKey(r.exp, ik), nil); err != nil {
			return err
		}
	}
	return tx.Bucket(bktRedis).Put(ik, encodeRecord(r))
}

func deleteKey(tx *bolt.Tx, ik []byte, r record) error {
	if r.exp != 0 {
		if err := tx.Bucket(bktExp).Delete(expKey(r.exp, ik)); err != nil {
			return err
		}
	}
	if r.typ == typeSet {
		if err := tx.Bucket(bktSets).DeleteBucket(ik); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
			return err
		}
	}
	return tx.Bucket(bktRedis).Delete(ik)
}
