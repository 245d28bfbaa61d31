-- rose.lua: use `rose lsp` for .rose files in Neovim 0.7 or newer.
--
-- Either copy this file to ~/.config/nvim/lua/rose.lua and put
--
--     require('rose').setup()            -- or setup { cmd = { '/path/to/rose', 'lsp' } }
--
-- in your init.lua, or paste its body there and call M.setup(). For
-- highlighting, also add editors/nvim to 'runtimepath' (or copy
-- editors/nvim/syntax/rose.vim and editors/nvim/ftdetect/rose.vim into
-- ~/.config/nvim/syntax/ and ~/.config/nvim/ftdetect/):
--
--     vim.opt.runtimepath:append('/path/to/rose/editors/nvim')
--
-- Newer Neovim has shorter ways to say the same (this file works there
-- too):
--   0.8+   vim.lsp.start{ name = 'rose', cmd = { 'rose', 'lsp' },
--                         root_dir = vim.fs.dirname(vim.api.nvim_buf_get_name(0)) }
--          from a FileType autocommand (reuses a running client itself).
--   0.10+  inlay hints are drawn by Neovim: vim.lsp.inlay_hint.enable(true, { bufnr = b })
--          (setup() does this when it can, instead of its own virtual text).
--   0.11+  vim.lsp.config('rose', { cmd = { 'rose', 'lsp' }, filetypes = { 'rose' },
--                                    root_markers = { 'go.mod', '.git' } })
--          vim.lsp.enable('rose')

local M = {}

M.defaults = {
  cmd = { 'rose', 'lsp' },
  -- Sent as initializationOptions; see docs/editors.md, "The server".
  settings = {
    rose = {
      eval = { timeoutMs = 250, maxMemoryMB = 256 },
      inlay = { exampleValues = true, parameterGradients = true, liveValues = false },
    },
  },
  -- Show inlay hints (an example's value and gradient) as virtual text on
  -- Neovim before 0.10, which has no inlay hint support of its own.
  inlay_hints = true,
  -- Map K (hover), gd (definition), gr (references), <leader>rn (rename),
  -- <leader>f (format) in .rose buffers.
  keymaps = true,
}

local ns = vim.api.nvim_create_namespace('rose_inlay')

-- show_inlay_hints asks the server for the hints of the whole buffer and
-- puts each line's hints at the end of that line as virtual text.
function M.show_inlay_hints(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = 0, character = 0 }, ['end'] = { line = vim.api.nvim_buf_line_count(bufnr), character = 0 } },
  }
  vim.lsp.buf_request(bufnr, 'textDocument/inlayHint', params, function(err, result)
    if err or not vim.api.nvim_buf_is_valid(bufnr) then return end
    vim.api.nvim_buf_clear_namespace(bufnr, ns, 0, -1)
    local lines = {}
    for _, h in ipairs(result or {}) do
      local label = h.label
      if type(label) == 'table' then
        local parts = {}
        for _, p in ipairs(label) do table.insert(parts, p.value) end
        label = table.concat(parts)
      end
      local l = h.position.line
      lines[l] = (lines[l] and lines[l] .. '  ' or '') .. label
    end
    local count = vim.api.nvim_buf_line_count(bufnr)
    for l, text in pairs(lines) do
      if l < count then
        vim.api.nvim_buf_set_extmark(bufnr, ns, l, 0, { virt_text = { { '  ' .. text, 'Comment' } }, hl_mode = 'combine' })
      end
    end
  end)
end

local clients = {} -- root directory -> client id

-- root_of is the directory of the nearest .git or go.mod above the
-- buffer's file, or the file's own directory.
local function root_of(bufnr)
  local dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':p:h')
  local git = vim.fn.finddir('.git', dir .. ';')
  if git ~= '' then return vim.fn.fnamemodify(git, ':p:h:h') end
  local mod = vim.fn.findfile('go.mod', dir .. ';')
  if mod ~= '' then return vim.fn.fnamemodify(mod, ':p:h') end
  return dir
end

local function on_attach(opts, client, bufnr)
  if opts.keymaps then
    local map = function(lhs, rhs) vim.api.nvim_buf_set_keymap(bufnr, 'n', lhs, rhs, { noremap = true, silent = true }) end
    map('K', '<cmd>lua vim.lsp.buf.hover()<CR>')
    map('gd', '<cmd>lua vim.lsp.buf.definition()<CR>')
    map('gr', '<cmd>lua vim.lsp.buf.references()<CR>')
    map('<leader>rn', '<cmd>lua vim.lsp.buf.rename()<CR>')
    map('<leader>f', '<cmd>lua (vim.lsp.buf.format or vim.lsp.buf.formatting)()<CR>')
    vim.api.nvim_buf_set_option(bufnr, 'omnifunc', 'v:lua.vim.lsp.omnifunc')
  end
  if not opts.inlay_hints then return end
  if vim.lsp.inlay_hint and vim.lsp.inlay_hint.enable then
    -- Neovim 0.10+ draws them itself (the 0.10 signature is enable(bool, filter)).
    pcall(vim.lsp.inlay_hint.enable, true, { bufnr = bufnr })
    return
  end
  M.show_inlay_hints(bufnr)
  vim.api.nvim_create_autocmd({ 'InsertLeave', 'TextChanged', 'BufWritePost' }, {
    buffer = bufnr,
    callback = function() M.show_inlay_hints(bufnr) end,
  })
end

-- start attaches the current buffer to the rose server of its root
-- directory, starting the server if needed.
function M.start(opts, bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local root = root_of(bufnr)
  local id = clients[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client {
      name = 'rose',
      cmd = opts.cmd,
      root_dir = root,
      init_options = opts.settings,
      settings = opts.settings,
      on_attach = function(client, b) on_attach(opts, client, b) end,
    }
    clients[root] = id
  end
  if id then vim.lsp.buf_attach_client(bufnr, id) end
  return id
end

function M.setup(user)
  local opts = vim.tbl_deep_extend('force', M.defaults, user or {})
  -- Filetype detection (vim.filetype.add exists from 0.7 but is only
  -- consulted there with g:do_filetype_lua, so use an autocommand).
  local group = vim.api.nvim_create_augroup('rose', { clear = true })
  vim.api.nvim_create_autocmd({ 'BufRead', 'BufNewFile' }, {
    group = group, pattern = '*.rose', command = 'setfiletype rose',
  })
  vim.api.nvim_create_autocmd('FileType', {
    group = group, pattern = 'rose',
    callback = function(args)
      vim.bo[args.buf].commentstring = '// %s'
      M.start(opts, args.buf)
    end,
  })
end

return M
