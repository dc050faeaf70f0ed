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
  // the button, so typing a date does not reload the page. The form goes
  // to /search#<the box's id>: the new page has the same box under the
  // same id (f-<facet>-<value>), and the focus returns to it below.
  var filters = document.getElementById('filters');
  if (filters) {
    filters.addEventListener('change', function (e) {
      if (e.target && e.target.type === 'checkbox') {
        filters.action = '/search#' + encodeURIComponent(e.target.id);
        submit(filters);
      }
    });
  }

  // Back on the results page after ticking a facet: the focus goes to the
  // facet's box (inside "more", which opens), not to the top of the page.
  if (location.hash.indexOf('#f-') === 0) {
    var id = location.hash.slice(1);
    try {
      id = decodeURIComponent(id);
    } catch (err) {
      // not encoded
    }
    var box = document.getElementById(id);
    if (box) {
      for (var p = box.parentElement; p; p = p.parentElement) {
        if (p.tagName === 'DETAILS') {
          p.open = true;
        }
      }
      box.focus();
    }
  }

  // Choosing another order applies it at once.
  var sort = document.getElementById('sort');
  if (sort && sort.form) {
    sort.addEventListener('change', function () {
      submit(sort.form);
    });
  }
})();
