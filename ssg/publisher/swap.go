package publisher

import "os"

// swap puts the generation in dir at out, all at once, and returns where the
// replaced generation now is ("" when out did not exist). Where directories
// cannot be exchanged atomically, out is renamed away first; if dir then
// cannot take its place, out is put back.
func swap(dir, out string) (old string, err error) {
	if _, err := os.Lstat(out); err != nil {
		return "", os.Rename(dir, out)
	}
	if err := exchange(dir, out); err == nil {
		return dir, nil
	}
	old = dir + ".old"
	_ = os.RemoveAll(old)
	if err := os.Rename(out, old); err != nil {
		return "", err
	}
	if err := os.Rename(dir, out); err != nil {
		_ = os.Rename(old, out)
		return "", err
	}
	return old, nil
}

// retire records keys as the live output's and keeps the replaced
// generation at old, if any, as the previous one, with its keys and sums; or
// removes it.
func (p *Publisher) retire(old string, keys map[string]uint64) {
	replaced := p.live
	p.live = keys
	outSums, prevSums := SumsFile(p.out, false), SumsFile(p.out, true)
	liveSums := p.liveSums
	p.liveSums, p.prevSums = nil, nil
	if old != "" && p.keepPrev(old) {
		if replaced != nil {
			p.prev = replaced
		}
		if os.Rename(outSums, prevSums) != nil {
			_ = os.Remove(prevSums)
		} else {
			p.prevSums = liveSums
		}
		return
	}
	if old != "" {
		_ = os.RemoveAll(old)
	}
	_ = os.Remove(outSums)
}
