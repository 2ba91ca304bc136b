/* The customer survey page (views/survey/form.hbs), on top of survey.js: saves the email's
   one-click answer at once and later answers as they change (partial saves, JSON), says so
   in a live region, moves focus to the error summary or the follow-up notice, and tells the
   server which follow-up questions are still hidden when the form is sent. Without this
   script the form simply posts. */
(function () {
  'use strict';

  var page = document.querySelector('.survey-page');
  var form = page && page.querySelector('form[data-survey-form]');
  if (!form) return;
  var status = page.querySelector('[data-survey-status]');
  var unseen = form.querySelector('input[name="_unseen"]');
  var channel = page.hasAttribute('data-one-click') ? 'email-click' : 'web';
  // Below the server's limit of 30 saves per link per minute, leaving room for the submit.
  var MIN_INTERVAL_MS = 4000;
  var DEBOUNCE_MS = 1200;
  var timer = null;
  var lastSave = 0;
  var pausedUntil = 0;

  // survey.js now shows and hides conditional questions; the server's hiding steps aside.
  form.querySelectorAll('[data-condition-unmet]').forEach(function (block) {
    block.removeAttribute('data-condition-unmet');
  });

  var focus = page.querySelector('[data-survey-focus]');
  if (focus) focus.focus();

  function answers(only) {
    var result = {};
    new FormData(form).forEach(function (value, name) {
      if (name.charAt(0) === '_' || (only && name !== only)) return;
      if (Object.prototype.hasOwnProperty.call(result, name)) {
        result[name] = [].concat(result[name], value);
      } else {
        var field = form.querySelector('[name="' + name + '"]');
        result[name] = field && field.type === 'checkbox' ? [value] : value;
      }
    });
    return result;
  }

  function say(key) {
    if (!status) return;
    status.textContent = '';
    // A fresh text node each time, so screen readers announce a repeated message again.
    window.setTimeout(function () {
      status.textContent = status.getAttribute(key) || '';
    }, 50);
  }

  function save(only) {
    lastSave = Date.now();
    return fetch(form.action, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify({ answers: answers(only), partial: true, channel: channel }),
    }).then(function (res) {
      if (res.status === 429) pausedUntil = Date.now() + 60000;
      say(res.ok ? 'data-saved' : 'data-failed');
    }, function () {
      say('data-failed');
    });
  }

  function schedule() {
    window.clearTimeout(timer);
    var wait = Math.max(DEBOUNCE_MS, lastSave + MIN_INTERVAL_MS - Date.now(), pausedUntil - Date.now());
    timer = window.setTimeout(function () {
      save();
    }, wait);
  }

  var oneClick = page.getAttribute('data-one-click');
  if (oneClick) save(oneClick);

  form.addEventListener('change', schedule);
  form.addEventListener('input', function (event) {
    if (event.target && event.target.tagName === 'TEXTAREA') schedule();
  });

  form.addEventListener('submit', function () {
    window.clearTimeout(timer);
    if (!unseen) return;
    var hidden = [];
    form.querySelectorAll('[data-show-if]').forEach(function (block) {
      if (block.hidden) hidden.push(block.id.replace(/^q-/, ''));
    });
    unseen.value = hidden.join(' ');
  });
})();
