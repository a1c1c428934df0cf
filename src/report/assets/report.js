// The report's browser script (inlined by src/report/html.ts): reads the JSON data block and draws
// each chart with uPlot; sorts the tables. Labels from the run reach the page only through uPlot,
// which sets them as text, never as HTML.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('rampart-data').textContent);
  var palette = ['#0969da', '#cf222e', '#1a7f37', '#9a6700', '#8250df', '#bc4c00', '#1b7c83', '#bf3989', '#57606a', '#4d2d00'];
  var plots = [];
  function fmt(v, unit) {
    if (v === null || v === undefined) return '–';
    var a = Math.abs(v);
    var s = a === 0 ? '0' : a < 1 ? v.toFixed(3) : a < 10 ? v.toFixed(2) : a < 100 ? v.toFixed(1) : Math.round(v).toString();
    return s + (unit ? ' ' + unit : '');
  }
  data.charts.forEach(function (chart) {
    var el = document.getElementById(chart.id);
    if (!el) return;
    var width = Math.max(300, el.clientWidth || 560);
    var series = [{ label: 'time' }];
    chart.lines.forEach(function (line, i) {
      series.push({
        label: line.label,
        stroke: palette[i % palette.length],
        width: 1.5,
        points: { show: chart.x.length < 60 },
        value: function (u, v) { return fmt(v, chart.unit); }
      });
    });
    var opts = {
      title: chart.title,
      width: width,
      height: 260,
      scales: {
        // charts that share a range (resources beside latency) line up on one time axis
        x: chart.range ? { time: true, range: function () { return [chart.range[0] / 1000, chart.range[1] / 1000]; } } : { time: true },
        // every figure here is a non-negative amount: start the axis at zero so small changes do not look large
        y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.08 : 1]; } }
      },
      series: series,
      // periods are 10 s apart: no tick finer than that
      axes: [{ incrs: [10, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400] }, { label: chart.unit, size: 60 }],
      legend: { live: true }
    };
    var columns = [chart.x.map(function (ms) { return ms / 1000; })];
    chart.lines.forEach(function (line) { columns.push(line.values); });
    plots.push({ el: el, plot: new uPlot(opts, columns, el) });
  });
  var pending = null;
  window.addEventListener('resize', function () {
    if (pending) clearTimeout(pending);
    pending = setTimeout(function () {
      plots.forEach(function (p) { p.plot.setSize({ width: Math.max(300, p.el.clientWidth), height: 260 }); });
    }, 150);
  });
  // sortable tables: numbers by their data-v value (empty last), other columns by text
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    var heads = table.querySelectorAll('thead th');
    Array.prototype.forEach.call(heads, function (th, column) {
      th.addEventListener('click', function () {
        var descending = th.getAttribute('aria-sort') !== 'descending';
        Array.prototype.forEach.call(heads, function (other) { other.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var ca = a.cells[column], cb = b.cells[column];
          var va = ca.getAttribute('data-v'), vb = cb.getAttribute('data-v');
          var order;
          if (va !== null && vb !== null) {
            if (va === '' || vb === '') return va === vb ? 0 : va === '' ? 1 : -1;
            order = Number(va) - Number(vb);
          } else {
            order = ca.textContent.localeCompare(cb.textContent);
          }
          return descending ? -order : order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  window.__rampartCharts = plots.length;
})();
