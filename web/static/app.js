// newsarchive web UI: small niceties only; every page works without this
// file. Served from /static (the CSP allows no inline script).
(function () {
  'use strict';

  function submit(form) {
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  // "/" focuses the search box, unless the reader is typing somewhere.
  document.addEventListener('keydown', function (e) {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) {
      return;
    }
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) {
      return;
    }
    var q = document.getElementById('q');
    if (!q) {
      return;
    }
    e.preventDefault();
    q.focus();
    q.select();
  });

  // Ticking a facet value applies it at once; the dates still wait for
  // the button, so typing a date does not reload the page.
  var filters = document.getElementById('filters');
  if (filters) {
    filters.addEventListener('change', function (e) {
      if (e.target && e.target.type === 'checkbox') {
        submit(filters);
      }
    });
  }

  // Choosing another order applies it at once.
  var sort = document.getElementById('sort');
  if (sort && sort.form) {
    sort.addEventListener('change', function () {
      submit(sort.form);
    });
  }
})();
