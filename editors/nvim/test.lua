-- Headless Neovim (0.7+) end-to-end test of `rose lsp`.
--
--   ROSE_BIN=/path/to/rose ROSE_FILE=examples/billiards.rose \
--     nvim --headless -i NONE -u editors/nvim/test.lua
--
-- ROSE_FILE is copied into a fresh temporary directory and the copy is
-- opened, so the file in the repository is never changed. The script
-- prints one JSON object (a summary of every check) to stdout and exits
-- 0 if all checks passed, 1 if some failed, 2 if it could not start.
-- ROSE_LOG, if set, is passed to the server as `rose lsp -log FILE`.

vim.o.swapfile = false -- a stale swap file from a killed run gives E325
vim.o.more = false
vim.o.shortmess = vim.o.shortmess .. 'F'

local uv = vim.loop
local t0 = uv.hrtime()
local function ms(since) return math.floor((uv.hrtime() - since) / 1e6) end

local summary = { nvim = tostring(vim.version().major) .. '.' .. vim.version().minor .. '.' .. vim.version().patch,
  checks = {}, passed = 0, failed = 0 }

local function finish(code)
  summary.total_ms = ms(t0)
  summary.ok = code == 0
  io.stdout:write(vim.fn.json_encode(summary), '\n')
  io.stdout:flush()
  os.exit(code)
end

-- check records one named assertion; detail is anything JSON-encodable.
local function check(name, ok, detail, started)
  table.insert(summary.checks, { name = name, ok = ok and true or false, detail = detail,
    ms = started and ms(started) or nil })
  if ok then summary.passed = summary.passed + 1 else summary.failed = summary.failed + 1 end
  return ok
end

local bin, src = os.getenv('ROSE_BIN'), os.getenv('ROSE_FILE')
if not bin or bin == '' or vim.fn.executable(bin) ~= 1 then
  summary.error = 'ROSE_BIN is not an executable: ' .. tostring(bin); finish(2)
end
if not src or vim.fn.filereadable(src) ~= 1 then
  summary.error = 'ROSE_FILE is not readable: ' .. tostring(src); finish(2)
end

local dir = vim.fn.tempname()
vim.fn.mkdir(dir, 'p')
local original = vim.fn.readfile(src)
local file = dir .. '/' .. vim.fn.fnamemodify(src, ':t')
vim.fn.writefile(original, file)
summary.file = src

local cmd = { bin, 'lsp' }
if os.getenv('ROSE_LOG') and os.getenv('ROSE_LOG') ~= '' then
  cmd = { bin, 'lsp', '-log', os.getenv('ROSE_LOG') }
end

-- request sends a raw request on buffer buf and returns result, error.
local client_id
local messages = {} -- window/showMessage notifications
local function request(buf, method, params, timeout)
  local res, err = vim.lsp.buf_request_sync(buf, method, params, timeout or 10000)
  if not res then return nil, 'no response: ' .. tostring(err) end
  local r = res[client_id]
  if not r then return nil, 'no response from the rose client' end
  if r.err then return nil, r.err end
  return r.result, nil
end

local function pos(line, col) return { line = line, character = col } end
local function doc(buf) return { uri = vim.uri_from_bufnr(buf) } end

local function main()
  -- Start the server and open the copy.
  local started = uv.hrtime()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = 'rose'
  client_id = vim.lsp.start_client {
    name = 'rose',
    cmd = cmd,
    root_dir = dir,
    -- 0.7's default handler writes window/showMessage to stdout (our JSON).
    handlers = { ['window/showMessage'] = function(_, result) table.insert(messages, result) end },
    init_options = { rose = { eval = { timeoutMs = 5000 }, inlay = { exampleValues = true, parameterGradients = true } } },
  }
  if not check('start_client', client_id ~= nil, { cmd = cmd }) then return end
  vim.lsp.buf_attach_client(buf, client_id)
  local client = vim.lsp.get_client_by_id(client_id)
  local inited = vim.wait(15000, function() return client.initialized end, 20)
  if not check('initialized', inited, nil, started) then return end
  local caps = client.server_capabilities or client.resolved_capabilities or {}
  check('inlayHintProvider capability', caps.inlayHintProvider ~= nil, { inlayHintProvider = caps.inlayHintProvider })

  local last = vim.api.nvim_buf_line_count(buf)
  local whole = { start = pos(0, 0), ['end'] = pos(last, 0) }

  -- Inlay hints after the example lines: "= value  ∇x = ...".
  started = uv.hrtime()
  local hints, err = request(buf, 'textDocument/inlayHint', { textDocument = doc(buf), range = whole }, 20000)
  local labels, good = {}, nil
  for _, h in ipairs(hints or {}) do
    local label = h.label
    if type(label) == 'table' then
      local parts = {}
      for _, p in ipairs(label) do table.insert(parts, p.value) end
      label = table.concat(parts)
    end
    table.insert(labels, { line = h.position.line, label = label })
    if not good and label:find('=', 1, true) and label:find('%d') then good = label end
  end
  check('inlay hints', good ~= nil, { error = err, count = #labels, first = labels[1], match = good }, started)

  -- No diagnostics in the example as shipped (the inlay request waited for
  -- the evaluation, so the first publish has arrived).
  vim.wait(300, function() return false end, 50)
  -- Only errors count: on a loaded machine an example may exceed its
  -- evaluation budget, which the server reports as an information
  -- diagnostic (hence the generous timeoutMs above).
  local ERROR = { severity = vim.diagnostic.severity.ERROR }
  local initial = vim.diagnostic.get(buf, ERROR)
  local all = vim.diagnostic.get(buf)
  check('no errors initially', #initial == 0, { errors = #initial, all = #all, first = all[1] and all[1].message })

  -- Hover at the name of the first function: its signature.
  started = uv.hrtime()
  local fline, fcol, fname
  for i, l in ipairs(original) do
    local s, name = l:match('^fn%s+()([%w_]+)')
    if s then
      fline, fname = i - 1, name
      fcol = l:find(name, s, true) - 1
      break
    end
  end
  if check('found a function', fname ~= nil, { name = fname, line = fline }) then
    local hover, herr = request(buf, 'textDocument/hover', { textDocument = doc(buf), position = pos(fline, fcol + 1) })
    local value = hover and hover.contents and (hover.contents.value or hover.contents) or nil
    local kind = hover and hover.contents and hover.contents.kind
    check('hover shows the signature', type(value) == 'string' and kind == 'markdown' and value:find('fn ' .. fname, 1, true) ~= nil,
      { error = herr, kind = kind, value = type(value) == 'string' and value:sub(1, 200) or value }, started)

    -- Definition of the function from its first use elsewhere.
    for i, l in ipairs(original) do
      local c = (i - 1 ~= fline) and l:find('%f[%w_]' .. fname .. '%(') or nil
      if c then
        local def, derr = request(buf, 'textDocument/definition', { textDocument = doc(buf), position = pos(i - 1, c) })
        if def and def[1] then def = def[1] end
        local at = def and (def.range or def.targetSelectionRange)
        check('definition', at ~= nil and at.start.line == fline, { error = derr, from = i - 1, to = at and at.start.line })
        break
      end
    end
  end

  -- Signature help inside the argument list of the first example, and the
  -- code lenses on example lines, whose command the server runs.
  for i, l in ipairs(original) do
    local c = l:match('^example%s+[%w_]+()%(')
    if c then
      local sig, serr = request(buf, 'textDocument/signatureHelp', { textDocument = doc(buf), position = pos(i - 1, c) })
      local label = sig and sig.signatures and sig.signatures[1] and sig.signatures[1].label
      check('signature help', type(label) == 'string' and label:find('^fn ') ~= nil, { error = serr, line = i - 1, label = label })
      break
    end
  end
  started = uv.hrtime()
  local lenses, lerr = request(buf, 'textDocument/codeLens', { textDocument = doc(buf) })
  local lens = lenses and lenses[1]
  local titles = {}
  for _, ln in ipairs(lenses or {}) do if ln.command and #titles < 3 then table.insert(titles, ln.command.title) end end
  check('code lenses', lens ~= nil and lens.command ~= nil, { error = lerr, count = lenses and #lenses, titles = titles })
  if lens and lens.command then
    local seen = #messages
    local res, xerr = request(buf, 'workspace/executeCommand', { command = lens.command.command, arguments = lens.command.arguments })
    vim.wait(2000, function() return #messages > seen end, 20)
    local shown = messages[seen + 1] and messages[seen + 1].message
    check('executeCommand ' .. lens.command.command, xerr == nil and type(res) == 'string' and res:find('=', 1, true) ~= nil,
      { error = xerr, result = res, showMessage = shown }, started)
  end

  -- Completion at the start of a new line inside the first function's body.
  started = uv.hrtime()
  local cres, cerr = request(buf, 'textDocument/completion', { textDocument = doc(buf), position = pos((fline or 0) + 1, 4) })
  local items = cres and (cres.items or cres) or {}
  local some = {}
  for i = 1, math.min(5, #items) do some[i] = items[i].label end
  check('completion', #items > 0, { error = cerr, count = #items, some = some }, started)

  -- Semantic tokens for the whole file.
  local toks, terr = request(buf, 'textDocument/semanticTokens/full', { textDocument = doc(buf) })
  check('semantic tokens', toks and toks.data and #toks.data > 0 and #toks.data % 5 == 0, { error = terr, ints = toks and toks.data and #toks.data })

  -- Formatting an already formatted file: no error.
  started = uv.hrtime()
  local edits, ferr = request(buf, 'textDocument/formatting',
    { textDocument = doc(buf), options = { tabSize = 4, insertSpaces = true } })
  check('formatting returns', ferr == nil, { error = ferr, edits = edits and #edits }, started)
  -- The canonical text: the original with those edits applied (none for a
  -- file already formatted with `rose fmt`), in a scratch buffer.
  local canonical = original
  if edits and #edits > 0 then
    local sbuf = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_lines(sbuf, 0, -1, false, original)
    vim.lsp.util.apply_text_edits(edits, sbuf, 'utf-16')
    canonical = vim.api.nvim_buf_get_lines(sbuf, 0, -1, false)
    vim.api.nvim_buf_delete(sbuf, { force = true })
  end

  -- Break the file: diagnostics appear; undo: they clear.
  started = uv.hrtime()
  vim.cmd('let &undolevels = &undolevels') -- close the undo block
  vim.api.nvim_buf_set_lines(buf, last, last, false, { 'fn (((' })
  local appeared = vim.wait(10000, function() return #vim.diagnostic.get(buf, ERROR) > 0 end, 20)
  local diags = vim.diagnostic.get(buf, ERROR)
  check('error diagnostic after an edit', appeared, { count = #diags, line = diags[1] and diags[1].lnum,
    message = diags[1] and diags[1].message, severity = diags[1] and diags[1].severity }, started)
  -- With the error, inlay hints must not fail (they may be empty).
  local bh, berr = request(buf, 'textDocument/inlayHint', { textDocument = doc(buf), range = whole })
  check('inlay hints on a broken file', berr == nil, { error = berr, count = bh and #bh })

  started = uv.hrtime()
  vim.cmd('silent undo')
  local back = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') == table.concat(original, '\n')
  local cleared = vim.wait(10000, function() return #vim.diagnostic.get(buf, ERROR) == 0 end, 20)
  check('errors clear after undo', back and cleared, { text_restored = back, errors = #vim.diagnostic.get(buf, ERROR) }, started)

  -- Formatting a badly indented copy returns edits; applied, they give
  -- the same canonical text as formatting the original.
  started = uv.hrtime()
  local bad = {}
  for i, l in ipairs(original) do bad[i] = (i % 2 == 0 and '       ' or '') .. l:gsub('^%s+', '') end
  local badfile = dir .. '/badly_indented.rose'
  vim.fn.writefile(bad, badfile)
  vim.cmd('edit ' .. vim.fn.fnameescape(badfile))
  local bbuf = vim.api.nvim_get_current_buf()
  vim.bo[bbuf].filetype = 'rose'
  vim.lsp.buf_attach_client(bbuf, client_id)
  local bedits, bferr = request(bbuf, 'textDocument/formatting',
    { textDocument = doc(bbuf), options = { tabSize = 4, insertSpaces = true } })
  local n = bedits and #bedits or 0
  local same
  if n > 0 then
    vim.lsp.util.apply_text_edits(bedits, bbuf, 'utf-16')
    local got = vim.api.nvim_buf_get_lines(bbuf, 0, -1, false)
    same = table.concat(got, '\n') == table.concat(canonical, '\n')
  end
  check('formatting a badly indented copy returns edits', bferr == nil and n > 0, { error = bferr, edits = n }, started)
  check('formatted copy equals the formatted original', same == true, { same = same })

  -- Shut down cleanly.
  started = uv.hrtime()
  vim.lsp.stop_client(client_id)
  local stopped = vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
  check('shutdown', stopped, nil, started)
end

local ok, err = pcall(main)
if not ok then
  summary.error = tostring(err)
  finish(2)
end
finish(summary.failed == 0 and #summary.checks > 0 and 0 or 1)
