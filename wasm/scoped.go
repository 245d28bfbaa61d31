package wasm

// scoped is a map whose entries follow the nesting of blocks: a nested
// block sees the entries of the blocks around it, and what it sets is
// undone when it ends. It keeps one map and a log of what each set
// replaced, so entering a block costs nothing; copying the map at every
// block made code generation quadratic in straight-line code with many
// ifs (a 4,000-line energy: 0.69 s, mostly copying).
type scoped[K comparable, V any] struct {
	m   map[K]V
	log []undoEntry[K, V]
}

type undoEntry[K comparable, V any] struct {
	k   K
	v   V
	had bool
}

func (s *scoped[K, V]) get(k K) (V, bool) {
	v, ok := s.m[k]
	return v, ok
}

func (s *scoped[K, V]) set(k K, v V) {
	if s.m == nil {
		s.m = map[K]V{}
	}
	old, had := s.m[k]
	s.log = append(s.log, undoEntry[K, V]{k, old, had})
	s.m[k] = v
}

// mark is the point to return to at the end of a block.
func (s *scoped[K, V]) mark() int { return len(s.log) }

// undo removes what was set since mark, restoring what it replaced.
func (s *scoped[K, V]) undo(mark int) {
	for i := len(s.log) - 1; i >= mark; i-- {
		e := s.log[i]
		if e.had {
			s.m[e.k] = e.v
		} else {
			delete(s.m, e.k)
		}
	}
	s.log = s.log[:mark]
}
