-- Headless test of the user set-up in editors/nvim: rose.lua, ftdetect and
-- syntax, as a user's init.lua would load them.
--
--   ROSE_BIN=/path/to/rose ROSE_FILE=examples/rosenbrock.rose \
--     nvim --headless -i NONE -u editors/nvim/test_config.lua
--
-- Prints a JSON summary; exits 0 if every check passed.
vim.o.swapfile = false
local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
vim.opt.runtimepath:append(here)
vim.cmd('filetype on')
vim.cmd('syntax on')

local summary = { checks = {}, passed = 0, failed = 0 }
local function check(name, ok, detail)
  table.insert(summary.checks, { name = name, ok = ok and true or false, detail = detail })
  if ok then summary.passed = summary.passed + 1 else summary.failed = summary.failed + 1 end
end
local function finish(code)
  summary.ok = code == 0
  io.stdout:write(vim.fn.json_encode(summary), '\n')
  os.exit(code)
end

local ok, err = pcall(function()
  local bin, src = os.getenv('ROSE_BIN'), os.getenv('ROSE_FILE')
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, 'p')
  local file = dir .. '/' .. vim.fn.fnamemodify(src, ':t')
  vim.fn.writefile(vim.fn.readfile(src), file)

  check('ftdetect loaded from runtimepath', vim.fn.exists('#filetypedetect#BufRead#*.rose') == 1)
  local rose = dofile(here .. '/rose.lua')
  rose.setup { cmd = { bin, 'lsp' } }
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  check('filetype', vim.bo[buf].filetype == 'rose', { filetype = vim.bo[buf].filetype })
  check('syntax', vim.b.current_syntax == 'rose', { current_syntax = vim.b.current_syntax })

  -- The syntax group at the first `fn` keyword and the first comment.
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local groups = {}
  for i, l in ipairs(lines) do
    if not groups.fn and l:match('^fn ') then
      groups.fn = vim.fn.synIDattr(vim.fn.synID(i, 1, 1), 'name')
      groups.name = vim.fn.synIDattr(vim.fn.synID(i, 4, 1), 'name')
    end
    if not groups.comment and l:match('^//') then groups.comment = vim.fn.synIDattr(vim.fn.synID(i, 1, 1), 'name') end
    local c = l:find('%f[%w.]%d+%.%d+')
    if not groups.number and c and not l:match('^%s*//') then groups.number = vim.fn.synIDattr(vim.fn.synID(i, c, 1), 'name') end
  end
  check('syntax groups', groups.fn == 'roseKeyword' and groups.name == 'roseFunction' and groups.comment == 'roseComment'
    and groups.number == 'roseNumber', groups)

  local attached = vim.wait(10000, function()
    for _, c in pairs(vim.lsp.buf_get_clients(buf)) do
      if c.name == 'rose' and c.initialized then return true end
    end
    return false
  end, 20)
  check('client attached by the FileType autocommand', attached)
  check('commentstring', vim.bo[buf].commentstring == '// %s', { commentstring = vim.bo[buf].commentstring })
  check('K mapped to hover', vim.fn.maparg('K', 'n'):find('hover') ~= nil, { K = vim.fn.maparg('K', 'n') })

  -- Inlay hints drawn as virtual text (Neovim < 0.10) by show_inlay_hints.
  local ns = vim.api.nvim_create_namespace('rose_inlay')
  local texts = {}
  local shown = vim.wait(15000, function()
    texts = {}
    for _, m in ipairs(vim.api.nvim_buf_get_extmarks(buf, ns, 0, -1, { details = true })) do
      local vt = m[4].virt_text
      if vt then table.insert(texts, { line = m[2], text = vt[1][1] }) end
    end
    return #texts > 0
  end, 50)
  local native = vim.lsp.inlay_hint ~= nil and vim.lsp.inlay_hint.enable ~= nil
  if native then
    check('inlay hints (native, 0.10+)', true, { native = true })
  else
    local good = false
    for _, t in ipairs(texts) do if t.text:find('=', 1, true) and t.text:find('%d') then good = true end end
    check('inlay hints as virtual text', shown and good, { count = #texts, first = texts[1] })
  end
end)
if not ok then summary.error = tostring(err); finish(2) end
finish(summary.failed == 0 and 0 or 1)
