-- .kpi files are Kipi formulas.
vim.filetype.add({ extension = { kpi = 'kipi' } })
