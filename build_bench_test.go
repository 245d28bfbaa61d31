package rose

import (
	"os"
	"testing"
)

// BenchmarkBuild is the time from source to callable value and gradient:
// parse, check, lower, differentiate and compile billiards' loss and its
// reverse-mode gradient, with each engine (the original Rose takes 64 ms
// warm, 272 ms cold, for the same).
func BenchmarkBuild(b *testing.B) {
	src, err := os.ReadFile("examples/billiards.rose")
	if err != nil {
		b.Fatal(err)
	}
	for _, eng := range []Engine{EngineEval, EngineCompiled} {
		b.Run(eng.String(), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				p := Load("billiards.rose", src)
				p.Engine = eng
				f, err := p.Func("loss", nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := f.vjpCode(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
