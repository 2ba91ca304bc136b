/* The template editor, nicer with JavaScript (it works without): shows only the fields of
   each question's type, asks before removing or archiving, and lets the import page read a
   chosen file into the JSON box. */
(function () {
  'use strict';

  function showFieldsOfType(block) {
    var select = block.querySelector('select[data-question-type]');
    if (!select) return;
    block.querySelectorAll('[data-for-types]').forEach(function (group) {
      group.hidden = group.getAttribute('data-for-types').split(' ').indexOf(select.value) === -1;
    });
  }

  document.querySelectorAll('[data-question-block]').forEach(function (block) {
    showFieldsOfType(block);
    var select = block.querySelector('select[data-question-type]');
    if (select) {
      select.addEventListener('change', function () {
        showFieldsOfType(block);
      });
    }
  });

  document.querySelectorAll('button[data-confirm]').forEach(function (button) {
    button.addEventListener('click', function (event) {
      if (!window.confirm(button.getAttribute('data-confirm'))) event.preventDefault();
    });
  });

  document.querySelectorAll('[data-import-file]').forEach(function (wrapper) {
    var input = wrapper.querySelector('input[type="file"]');
    var target = document.getElementById(wrapper.getAttribute('data-import-file'));
    if (!input || !target || typeof FileReader === 'undefined') return;
    wrapper.hidden = false;
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        target.value = String(reader.result);
        target.focus();
      };
      reader.readAsText(file);
    });
  });
})();
