" .rose files are Rose (see editors/nvim/rose.lua for the language server).
autocmd BufNewFile,BufRead *.rose setfiletype rose
