package site

import "time"

// Result summarises a build.
type Result struct {
	Posts, Pages int // rendered posts and standalone pages
	Files        int // files in the output
	Parsed       int // sources parsed in this build
	Written      int // files written in this build
	// ReadBack counts files of the reused previous generation that were read
	// back to compare, for want of a usable sums entry (see package
	// publisher).
	ReadBack int
	// Resized counts the images resized in this build: those whose copies
	// were in no cache (see ImageCacheDir).
	Resized  int
	Warnings []string
	// Changed are the output paths (slash-separated, relative) whose
	// content differs from the output this build replaced, removed ones
	// included: set in development mode (Options.Dev) only.
	Changed []string
	// NextDue is when the earliest page left out for its future date
	// becomes due (zero if none): a watching build rebuilds then.
	NextDue time.Time
	// Phases records how long each step took, for -watch logs and tuning.
	Phases []Phase
}

// Phase is one timed step of a build.
type Phase struct {
	Name string
	Time time.Duration
}

// phase records the step name as ending now, having started at *start,
// and starts the next one.
func (r *Result) phase(name string, start *time.Time) {
	now := time.Now()
	r.Phases = append(r.Phases, Phase{name, now.Sub(*start)})
	*start = now
}
