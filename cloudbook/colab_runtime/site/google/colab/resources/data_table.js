// cloudbook: the interactive table of google.colab.data_table (paging, sorting, filtering).
// Self-contained: no network. spec = {columns: [{name, numeric, index}], rows: [[v, ...]],
// rowsPerPage, total, truncated}.
window.cloudbookDataTable = window.cloudbookDataTable || function (root, spec) {
  const state = {page: 0, size: spec.rowsPerPage, sortCol: -1, sortDir: 1, filter: ''};
  const columns = spec.columns;
  const text = (v, col) => (v === null ? (col.numeric ? 'NaN' : 'None') : String(v));
  const make = (tag, attrs, children) => {
    const el = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === 'text') el.textContent = v; else el.setAttribute(k, v);
    });
    (children || []).forEach((c) => el.appendChild(c));
    return el;
  };

  const filterBox = make('input', {type: 'search', placeholder: 'Filter', 'aria-label': 'Filter'});
  const sizeSelect = make('select', {'aria-label': 'Rows per page'});
  Array.from(new Set([10, 25, 50, 100, spec.rowsPerPage])).sort((a, b) => a - b)
    .forEach((n) => {
      const option = make('option', {value: String(n), text: String(n)});
      if (n === spec.rowsPerPage) option.selected = true;
      sizeSelect.appendChild(option);
    });
  const headRow = make('tr');
  const body = make('tbody');
  const table = make('table', {class: 'dataframe cloudbook-data-table'},
                     [make('thead', {}, [headRow]), body]);
  const info = make('span', {class: 'info'});
  const prev = make('button', {type: 'button', text: 'Previous', 'aria-label': 'Previous page'});
  const next = make('button', {type: 'button', text: 'Next', 'aria-label': 'Next page'});
  root.append(
    make('div', {class: 'toolbar'}, [filterBox, make('label', {text: ' Show '}), sizeSelect,
                                     make('label', {text: ' per page'})]),
    make('div', {class: 'scroll'}, [table]),
    make('div', {class: 'pager'}, [prev, info, next]),
  );

  columns.forEach((col, i) => {
    const th = make('th', {role: 'columnheader', 'aria-sort': 'none', text: col.name});
    if (col.index) th.className = 'index_column';
    th.addEventListener('click', () => {
      state.sortDir = state.sortCol === i ? -state.sortDir : 1;
      state.sortCol = i;
      state.page = 0;
      render();
    });
    headRow.appendChild(th);
  });

  const compare = (a, b, numeric) => {
    if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
    if (numeric) return Number(a) - Number(b);
    return String(a).localeCompare(String(b), undefined, {numeric: true});
  };

  function visibleRows() {
    let rows = spec.rows.map((row, position) => ({row, position}));
    const needle = state.filter.trim().toLowerCase();
    if (needle) {
      rows = rows.filter(({row}) =>
        row.some((v, i) => text(v, columns[i]).toLowerCase().includes(needle)));
    }
    if (state.sortCol >= 0) {
      const i = state.sortCol;
      const numeric = columns[i].numeric;
      rows.sort((x, y) => {
        const byValue = compare(x.row[i], y.row[i], numeric);
        if (byValue === 0) return x.position - y.position;
        // nulls stay last in both directions
        if (x.row[i] === null || y.row[i] === null) return byValue;
        return state.sortDir * byValue;
      });
    }
    return rows;
  }

  function render() {
    const rows = visibleRows();
    const pages = Math.max(1, Math.ceil(rows.length / state.size));
    state.page = Math.min(state.page, pages - 1);
    const start = state.page * state.size;
    const shown = rows.slice(start, start + state.size);
    body.replaceChildren(...shown.map(({row}) => make('tr', {}, row.map((v, i) =>
      make(columns[i].index ? 'th' : 'td', {text: text(v, columns[i])})))));
    Array.from(headRow.children).forEach((th, i) => th.setAttribute('aria-sort',
      i !== state.sortCol ? 'none' : state.sortDir > 0 ? 'ascending' : 'descending'));
    const end = Math.min(start + state.size, rows.length);
    info.textContent = rows.length
      ? ` ${start + 1}-${end} of ${rows.length}` +
        (rows.length !== spec.rows.length ? ` (filtered from ${spec.rows.length})` : '') +
        ` - page ${state.page + 1} of ${pages} `
      : ' no matching rows ';
    prev.disabled = state.page === 0;
    next.disabled = state.page >= pages - 1;
  }

  filterBox.addEventListener('input', () => { state.filter = filterBox.value; state.page = 0; render(); });
  sizeSelect.addEventListener('change', () => { state.size = Number(sizeSelect.value); state.page = 0; render(); });
  prev.addEventListener('click', () => { state.page -= 1; render(); });
  next.addEventListener('click', () => { state.page += 1; render(); });
  render();
};
