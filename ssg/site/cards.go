package site

import (
	"wasmsite/ssg/page"
	"wasmsite/ssg/pool"
	"wasmsite/ssg/theme"
)

// cards renders the cards posts need: only those of the posts the model
// put in place when it was patched (Model.Changed) and the settings are
// those of the last cards, else every stale one.
func (b *Builder) cards(posts []*page.Page, patched bool, set settings) error {
	if patched && set.siteKey == b.cardsKey {
		posts = b.model.Changed
	}
	b.cardsKey = 0
	if err := b.renderCards(posts, set.theme, set.siteKey); err != nil {
		return err
	}
	b.cardsKey = set.siteKey
	return nil
}

// renderCards renders, in parallel, the card of every post whose card is
// missing or out of date: cards are rendered once per post and reused by
// every list page that shows the post.
func (b *Builder) renderCards(posts []*page.Page, th *theme.Theme, siteKey uint64) error {
	var stale []*page.Page
	for _, p := range posts {
		if k := b.keys.New().Number(siteKey).Number(p.Key).Key(); p.CardKey != k {
			p.CardKey = k
			stale = append(stale, p)
		}
	}
	return pool.Run(len(stale), b.opts.Workers, func(i int) error {
		card, err := th.Card(stale[i])
		if err != nil {
			stale[i].CardKey = 0
			return err
		}
		stale[i].Card = card
		return nil
	})
}
