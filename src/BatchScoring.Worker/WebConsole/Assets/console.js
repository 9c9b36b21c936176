// Keeps the page of a running run current: polls its JSON twin every 2 s and updates the figures and the
// partition grid in place, until the run is no longer pending or running.
(function () {
  'use strict';
  var live = document.body.getAttribute('data-live');
  if (!live) return;
  function set(field, text) {
    document.querySelectorAll('[data-field="' + field + '"]').forEach(function (el) { el.textContent = text; });
  }
  function number(n) { return n === null || n === undefined ? '' : Number(n).toLocaleString('en-US'); }
  function eta(seconds) {
    if (seconds === null || seconds === undefined) return 'unknown';
    var s = Math.round(seconds), h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
    return (h < 10 ? '0' : '') + h + ':' + (m < 10 ? '0' : '') + m + ':' + (s % 60 < 10 ? '0' : '') + (s % 60);
  }
  function update(data) {
    var run = data.run, progress = data.progress;
    set('status', run.status.replace('_', ' '));
    document.querySelectorAll('[data-field="status"]').forEach(function (el) { el.className = 'status s-' + run.status; });
    set('rows_read', number(run.rows_read));
    set('rows_scored', number(progress.rows_scored));
    set('rows_failed', number(run.rows_failed));
    set('partitions_done', number(progress.partitions_done) + ' of ' + number(progress.partitions));
    set('rows_per_second', number(Math.round(progress.rows_per_second)));
    set('eta', eta(progress.eta_seconds));
    set('updated', '(live, updated ' + new Date().toISOString().substring(11, 19) + 'Z)');
    (data.partitions || []).forEach(function (p) {
      var cell = document.getElementById('p-' + p.partition_id);
      if (cell) { cell.className = 'cell s-' + p.status; cell.title = p.partition_key + ': ' + p.status; }
    });
    return run.status === 'running' || run.status === 'pending';
  }
  function poll() {
    fetch(live, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (response) { if (!response.ok) throw new Error(live + ': ' + response.status); return response.json(); })
      .then(function (data) { if (update(data)) setTimeout(poll, 2000); else document.body.removeAttribute('data-live'); })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
})();
