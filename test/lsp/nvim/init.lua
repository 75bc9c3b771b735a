-- Drives Neovim's built-in LSP client (0.7 API) against `tollgate lsp`, headless: opens the files
-- named in TOLLGATE_FILES, waits for diagnostics, writes them to TOLLGATE_OUT, then applies a
-- code action (a rule's fix when one is offered, and a suppression) and records what happened.
-- Lines written: `diag <file> <line> <code>`, `fix none <file>` or `fix <file> <line> <code> gone|stayed` (one per template),
-- `suppress <file> <code> <count before> <count after>`, `done`; `error <text>` on failure.
local out = assert(io.open(os.getenv('TOLLGATE_OUT'), 'w'))
local function say(line)
  out:write(line .. '\n')
  out:flush()
end

local ok, err = pcall(function()
  local root = os.getenv('TOLLGATE_ROOT')
  local client_id = vim.lsp.start_client({
    name = 'tollgate',
    cmd = { os.getenv('TOLLGATE_NODE'), os.getenv('TOLLGATE_CLI'), 'lsp', '--stdio' },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = 'root' } },
  })
  assert(client_id, 'the client did not start')

  local buffers = {}
  for file in string.gmatch(os.getenv('TOLLGATE_FILES'), '[^;]+') do
    vim.cmd('edit ' .. vim.fn.fnameescape(root .. '/' .. file))
    local buf = vim.api.nvim_get_current_buf()
    vim.lsp.buf_attach_client(buf, client_id)
    buffers[#buffers + 1] = { buf = buf, file = file }
  end
  local templates = {}
  for _, b in ipairs(buffers) do
    if b.file:match('%.bicep$') or (b.file:match('%.json$') and not b.file:match('parameters')) then
      templates[#templates + 1] = b
    end
  end

  local function code_of(d)
    return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
  end
  -- 0.7 keeps only the extra fields of the LSP diagnostic in user_data.lsp: the rest is rebuilt
  -- (columns are byte offsets in Neovim; the seed files are ASCII, where they equal UTF-16 ones).
  local function lsp_diagnostic(d)
    return {
      range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum, character = d.end_col } },
      severity = d.severity,
      message = d.message,
      source = d.source,
      code = code_of(d),
    }
  end

  local arrived = vim.wait(60000, function()
    for _, b in ipairs(templates) do
      if #vim.diagnostic.get(b.buf) == 0 then return false end
    end
    return true
  end, 50)
  assert(arrived, 'no diagnostics within 60 s')
  for _, b in ipairs(buffers) do
    for _, d in ipairs(vim.diagnostic.get(b.buf)) do
      say(string.format('diag %s %d %s', b.file, d.lnum + 1, tostring(code_of(d))))
    end
  end

  local function actions_for(buf, d)
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      range = lsp_diagnostic(d).range,
      context = { diagnostics = { lsp_diagnostic(d) } },
    }
    local responses = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 10000) or {}
    local actions = {}
    for _, r in pairs(responses) do
      if r.error then error('codeAction: ' .. tostring(r.error.message)) end
      for _, a in ipairs(r.result or {}) do actions[#actions + 1] = a end
    end
    return actions
  end
  local function count(buf, code)
    local n = 0
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if code_of(d) == code then n = n + 1 end
    end
    return n
  end
  -- Waits for the server's answer to the edit: the count of a code changes from `before`.
  local function wait_change(buf, code, before)
    vim.wait(20000, function() return count(buf, code) ~= before end, 50)
    return count(buf, code)
  end

  -- A rule's fix in each template (the ARM one with its parameter file, the Bicep one with its
  -- .bicepparam), when a diagnostic there offers one.
  for _, b in ipairs(templates) do
    local fixed = false
    for _, d in ipairs(vim.diagnostic.get(b.buf)) do
      for _, a in ipairs(actions_for(b.buf, d)) do
        if not fixed and a.title:match('^Fix ') and a.edit then
          local code = code_of(d)
          local before = count(b.buf, code)
          vim.lsp.util.apply_workspace_edit(a.edit, 'utf-16')
          local after = wait_change(b.buf, code, before)
          say(string.format('fix %s %d %s %s', b.file, d.lnum + 1, code, after < before and 'gone' or 'stayed'))
          fixed = true
        end
      end
      if fixed then break end
    end
    if not fixed then say('fix none ' .. b.file) end
  end

  -- A suppression of the first APIM-HTTPBackend finding in each template.
  for _, b in ipairs(templates) do
    for _, d in ipairs(vim.diagnostic.get(b.buf)) do
      if code_of(d) == 'APIM-HTTPBackend' then
        local before = count(b.buf, 'APIM-HTTPBackend')
        for _, a in ipairs(actions_for(b.buf, d)) do
          if a.title:match('^Suppress ') then
            vim.lsp.util.apply_workspace_edit(a.edit, 'utf-16')
            break
          end
        end
        say(string.format('suppress %s APIM-HTTPBackend %d %d', b.file, before, wait_change(b.buf, 'APIM-HTTPBackend', before)))
        break
      end
    end
  end
  say('done')
end)
if not ok then say('error ' .. tostring(err)) end
out:close()
vim.cmd('qa!')
