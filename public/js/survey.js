/* Survey forms (views/partials/survey/): hides a conditional question (data-show-if) until
   the earlier answer it depends on is one of its values, and disables its inputs meanwhile
   so they are neither required nor sent. Without this script every question stays visible,
   with a line saying when to answer it. */
(function () {
  'use strict';

  function given(form, name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (field) {
      if (field.disabled) return;
      if (field.type === 'radio' || field.type === 'checkbox') {
        if (field.checked) values.push(field.value);
      } else if (field.value) {
        values.push(field.value);
      }
    });
    return values;
  }

  // Document order: a question hidden earlier in a chain is disabled before its dependants look at it.
  function update(form) {
    form.querySelectorAll('[data-show-if]').forEach(function (block) {
      var wanted = (block.getAttribute('data-show-if-values') || '').split(' ');
      var show = given(form, block.getAttribute('data-show-if')).some(function (value) {
        return wanted.indexOf(value) !== -1;
      });
      block.hidden = !show;
      block.querySelectorAll('input, textarea, select').forEach(function (field) {
        field.disabled = !show;
      });
    });
  }

  document.querySelectorAll('form[data-survey-form]').forEach(function (form) {
    if (form.hasAttribute('data-survey-ready')) return;
    form.setAttribute('data-survey-ready', '');
    update(form);
    form.addEventListener('change', function () {
      update(form);
    });
  });
})();
