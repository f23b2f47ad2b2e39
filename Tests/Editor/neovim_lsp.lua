-- Drives `kipi lsp` through Neovim's own LSP client, with the repository's Neovim settings
-- (Editors/nvim): opens FILE (which has a misspelt column on line 4), and prints one JSON
-- object: the diagnostics, the completion labels at the start of line 6, the hover text over
-- the name on line 5, and line 5 after renaming that name to `total_revenue`.
--
--   PATH=<dir of kipi>:$PATH nvim --headless --clean -l Tests/Editor/neovim_lsp.lua REPO FILE
local repo, file = arg[1], arg[2]
dofile(repo .. '/Editors/nvim/init.lua')
vim.cmd('filetype on')
vim.cmd.edit(file)
local buf = vim.api.nvim_get_current_buf()
local out = { filetype = vim.bo[buf].filetype }

local function client()
  return vim.lsp.get_clients({ bufnr = buf, name = 'kipi' })[1]
end
out.attached = vim.wait(15000, function() return client() ~= nil end, 50)
vim.wait(15000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
out.diagnostics = vim.tbl_map(function(d)
  return { line = d.lnum, col = d.col, end_col = d.end_col, message = d.message }
end, vim.diagnostic.get(buf))

local function request(method, line, character)
  local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = line, character = character } }
  local answers = vim.lsp.buf_request_sync(buf, method, params, 15000) or {}
  for _, answer in pairs(answers) do
    if answer.result then return answer.result end
  end
end

local completion = request('textDocument/completion', 5, 0)
out.completion = {}
for _, item in ipairs((completion and (completion.items or completion)) or {}) do
  table.insert(out.completion, item.label)
end
local hover = request('textDocument/hover', 4, 1)
out.hover = hover and hover.contents and hover.contents.value or vim.NIL

vim.api.nvim_win_set_cursor(0, { 5, 1 })
vim.lsp.buf.rename('total_revenue')
vim.wait(15000, function()
  return vim.api.nvim_buf_get_lines(buf, 4, 5, false)[1]:find('total_revenue') ~= nil
end, 50)
out.renamed = vim.api.nvim_buf_get_lines(buf, 4, 5, false)[1]
out.last_line = vim.api.nvim_buf_get_lines(buf, 5, 6, false)[1]

io.stdout:write(vim.json.encode(out) .. '\n')
vim.cmd('qa!')
