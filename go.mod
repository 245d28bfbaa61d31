module github.com/rose-go/rose

go 1.26.8

require (
	github.com/alecthomas/participle/v2 v2.1.4
	github.com/pmezard/go-difflib v1.0.0
)
