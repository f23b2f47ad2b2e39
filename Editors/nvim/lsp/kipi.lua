-- Kipi's language server for Neovim 0.11+: put Editors/nvim on 'runtimepath' and call
-- vim.lsp.enable('kipi') (see README). `kipi` must be on PATH, or set cmd to its path.
return {
  cmd = { 'kipi', 'lsp' },
  filetypes = { 'kipi' },
  root_markers = { '.git' },
}
