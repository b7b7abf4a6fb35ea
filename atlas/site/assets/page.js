/* DSR Atlas: the "Copy link" control of the country and about pages (they need no other script). */
(function () {
  "use strict";
  var button = document.getElementById("atlas-copy-link");
  var status = document.getElementById("atlas-status");
  if (!button || !status) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var url = location.href;
    function said(text) { status.textContent = text; }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(url).then(function () { said("Link copied."); },
        function () { said("Copy this link: " + url); });
    } else {
      said("Copy this link: " + url);
    }
  });
})();
