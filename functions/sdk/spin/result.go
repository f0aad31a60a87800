package spin

// ResultIsErr is the offset of an expected<T, E>'s discriminant in every result area:
// a u8, 0 for ok and 1 for err.
const ResultIsErr = 0

// Option tags (u8) of option<T>: none or some.
const (
	OptionNone = 0
	OptionSome = 1
)
