package embedded

import (
	"context"

	"wasmsite/server/store"

	bolt "go.etcd.io/bbolt"
)

// KV returns the key-value store with the given label (e.g. "default"). Each label is
// its own bucket, separate from the Redis-emulation data and from other labels. Writes
// are durable when acknowledged.
func (e *Store) KV(label string) store.KV {
	return &embeddedKV{e: e, label: append([]byte{'l'}, label...)}
}

type embeddedKV struct {
	e     *Store
	label []byte
}

func (s *embeddedKV) bucket(tx *bolt.Tx) *bolt.Bucket {
	return tx.Bucket(bktKV).Bucket(s.label)
}

func (s *embeddedKV) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []byte
	err := s.e.view(func(tx *bolt.Tx) error {
		out = nil
		if b := s.bucket(tx); b != nil {
			if v := b.Get(mkey([]byte(key))); v != nil {
				out = append([]byte{}, v...)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, store.ErrNoSuchKey
	}
	return out, nil
}

func (s *embeddedKV) Set(ctx context.Context, key string, value []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	mk := mkey([]byte(key))
	v := append([]byte{}, value...)
	return s.e.update(func(tx *bolt.Tx) error {
		b, err := tx.Bucket(bktKV).CreateBucketIfNotExists(s.label)
		if err != nil {
			return err
		}
		return b.Put(mk, v)
	})
}

func (s *embeddedKV) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	mk := mkey([]byte(key))
	return s.e.update(func(tx *bolt.Tx) error {
		if b := s.bucket(tx); b != nil {
			return b.Delete(mk)
		}
		return nil
	})
}

func (s *embeddedKV) Exists(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	var ok bool
	err := s.e.view(func(tx *bolt.Tx) error {
		b := s.bucket(tx)
		ok = b != nil && b.Get(mkey([]byte(key))) != nil
		return nil
	})
	return ok, err
}

func (s *embeddedKV) Keys(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []string
	err := s.e.view(func(tx *bolt.Tx) error {
		out = []string{}
		b := s.bucket(tx)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error {
			out = append(out, string(k[1:]))
			return nil
		})
	})
	return out, err
}
