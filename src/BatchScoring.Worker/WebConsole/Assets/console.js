// Keeps pages of running runs current: polls the page's JSON twin (data-live) every 2 s and updates in place, until
// no run on the page is pending or running. The run page's twin answers only the partitions changed since the
// cursor of the previous answer; the runs list's twin has each live run's progress.
(function () {
  'use strict';
  var live = document.body.getAttribute('data-live');
  if (!live) return;
  function set(field, text, scope) {
    (scope || document).querySelectorAll('[data-field="' + field + '"]').forEach(function (el) { el.textContent = text; });
  }
  function isLive(status) { return status === 'running' || status === 'pending'; }
  function number(n) { return n === null || n === undefined ? '' : Number(n).toLocaleString('en-US'); }
  function eta(seconds) {
    if (seconds === null || seconds === undefined) return 'unknown';
    var s = Math.round(seconds), h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
    return (h < 10 ? '0' : '') + h + ':' + (m < 10 ? '0' : '') + m + ':' + (s % 60 < 10 ? '0' : '') + (s % 60);
  }
  function updateList(data) {
    var any = false;
    data.runs.forEach(function (run) {
      var row = document.querySelector('tr[data-run="' + run.run_id + '"]');
      if (!row) return;
      any = any || isLive(run.status);
      row.querySelectorAll('.status').forEach(function (el) { el.className = 'status s-' + run.status; el.textContent = run.status.replace('_', ' '); });
      var progress = run.progress;
      set('rows_scored', number(progress ? Math.max(run.rows_scored, progress.rows_scored) : run.rows_scored), row);
      set('rows_failed', number(run.rows_failed), row);
      set('rows_per_second', progress ? number(Math.round(progress.rows_per_second)) : '', row);
      set('eta', progress ? eta(progress.eta_seconds) : 'done', row);
    });
    return any;
  }
  function update(data) {
    if (data.runs) return updateList(data);
    if (data.cursor) live = live.replace(/since=[^&]*/, 'since=' + encodeURIComponent(data.cursor));
    var run = data.run, progress = data.progress;
    set('status', run.status.replace('_', ' '));
    document.querySelectorAll('[data-field="status"]').forEach(function (el) { el.className = 'status s-' + run.status; });
    set('rows_read', number(run.rows_read));
    set('rows_scored', number(progress.rows_scored));
    set('rows_failed', number(run.rows_failed));
    set('partitions_done', number(progress.partitions_done) + ' of ' + number(progress.partitions));
    set('rows_per_second', number(Math.round(progress.rows_per_second)));
    set('eta', eta(progress.eta_seconds));
    (data.partitions || []).forEach(function (p) {
      var cell = document.getElementById('p-' + p.partition_id);
      if (cell) { cell.className = 'cell s-' + p.status; cell.title = p.partition_key + ': ' + p.status; }
    });
    return isLive(run.status);
  }
  function poll() {
    fetch(live, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (response) { if (!response.ok) throw new Error(live + ': ' + response.status); return response.json(); })
      .then(function (data) {
        set('updated', '(live, updated ' + new Date().toISOString().substring(11, 19) + 'Z)');
        if (update(data)) setTimeout(poll, 2000); else document.body.removeAttribute('data-live'); })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
})();
