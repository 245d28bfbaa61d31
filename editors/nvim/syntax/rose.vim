" Vim syntax file for Rose (.rose). Keywords as in grammar/grammar.go
" (Keywords), comments `//` to the end of the line, numbers as the lexer
" reads them. Semantic tokens from `rose lsp` refine this where the editor
" supports them (Neovim 0.9+).
if exists('b:current_syntax')
  finish
endif

syn keyword roseKeyword fn const type struct example let var test assert
syn keyword roseConditional if else
syn keyword roseRepeat for in while
syn keyword roseBoolean true false
syn keyword roseType Real Int Bool
syn keyword roseBuiltin sqrt exp log sin cos tan asin acos atan sinh cosh tanh
syn keyword roseBuiltin floor ceil round sign abs pow atan2 min max sum prod
syn keyword roseBuiltin real int len dot norm lgamma log1p expm1 erf cbrt hypot
syn keyword roseBuiltin band bor bxor shl shr clamp
syn match roseNumber '\<\d\+\(\.\d\+\)\=\([eE][+-]\=\d\+\)\=\>'
syn match roseFunction '\(\<fn\s\+\)\@<=\h\w*'
syn match roseComment '//.*$' contains=roseTodo,@Spell
syn keyword roseTodo TODO FIXME XXX contained

hi def link roseKeyword Keyword
hi def link roseConditional Conditional
hi def link roseRepeat Repeat
hi def link roseBoolean Boolean
hi def link roseType Type
hi def link roseBuiltin Function
hi def link roseFunction Function
hi def link roseNumber Number
hi def link roseComment Comment
hi def link roseTodo Todo

let b:current_syntax = 'rose'
