-- A ready Neovim setup for Kipi: `nvim -u Editors/nvim/init.lua sales.kpi`, or copy these lines
-- into your own init.lua with the path of this folder.
local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
vim.opt.runtimepath:prepend(here)
vim.filetype.add({ extension = { kpi = 'kipi' } })
vim.lsp.enable('kipi')
-- Older Neovim (0.10) without vim.lsp.enable: start the server for each .kpi buffer.
if vim.fn.has('nvim-0.11') == 0 then
  vim.api.nvim_create_autocmd('FileType', {
    pattern = 'kipi',
    callback = function() vim.lsp.start({ name = 'kipi', cmd = { 'kipi', 'lsp' } }) end,
  })
end
