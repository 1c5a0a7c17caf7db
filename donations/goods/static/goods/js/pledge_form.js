// The pledge form without a round trip (progressive enhancement; the form works without it):
// "More lines" adds a row in place, and choosing a wishlist item fills in its name (品名),
// category and unit unless the visitor typed something else.
(function () {
  "use strict";
  var form = document.getElementById("pledge-form");
  if (!form) return;
  var dataNode = document.getElementById("wishlist-names");
  var wishlist = dataNode ? JSON.parse(dataNode.textContent) : {};
  var prefix = "goods";
  var total = form.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
  var max = form.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");

  function field(line, name) {
    return line.querySelector("[name$='-" + name + "']");
  }

  function fillFromWishlist(select) {
    var line = select.closest("[data-goods-line]");
    var item = wishlist[select.value];
    var previous = wishlist[select.getAttribute("data-previous") || ""];
    select.setAttribute("data-previous", select.value);
    if (!line || !item) return;
    var description = field(line, "description");
    // Replace only what is empty or was filled in from the previous choice.
    if (description && (!description.value || (previous && description.value === previous.name))) {
      description.value = item.name;
    }
    ["category", "unit"].forEach(function (name) {
      var input = field(line, name);
      if (input && (!input.value || (previous && input.value === previous[name]))) {
        input.value = item[name];
      }
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target.matches("select[name$='-wishlist_item']")) fillFromWishlist(event.target);
  });
  form.querySelectorAll("select[name$='-wishlist_item']").forEach(function (select) {
    select.setAttribute("data-previous", select.value);
  });

  var button = form.querySelector("[data-add-line]");
  if (!button || !total) return;
  button.addEventListener("click", function (event) {
    var lines = form.querySelectorAll("[data-goods-line]");
    var count = parseInt(total.value, 10);
    if (max && count >= parseInt(max.value, 10)) return; // let the server say there are too many
    event.preventDefault();
    var last = lines[lines.length - 1];
    var line = last.cloneNode(true);
    var from = new RegExp(prefix + "-\\d+-", "g");
    var to = prefix + "-" + count + "-";
    line.id = "goods-line-" + (count + 1);
    line.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (node) {
      ["name", "id", "for", "aria-describedby"].forEach(function (attribute) {
        var value = node.getAttribute(attribute);
        if (value) node.setAttribute(attribute, value.replace(from, to));
      });
    });
    line.querySelectorAll(".field__error, .error-list").forEach(function (node) {
      node.remove();
    });
    line.querySelectorAll(".field--invalid").forEach(function (node) {
      node.classList.remove("field--invalid");
    });
    line.querySelectorAll("input, select, textarea").forEach(function (input) {
      input.removeAttribute("aria-invalid");
      if (input.tagName === "SELECT") input.selectedIndex = 0;
      else input.value = "";
      input.removeAttribute("data-previous");
    });
    var legend = line.querySelector("legend");
    if (legend) legend.textContent = legend.textContent.replace(/\d+/, String(count + 1));
    last.after(line);
    total.value = String(count + 1);
    var live = form.querySelector("[data-line-added]");
    if (live) live.textContent = live.getAttribute("data-message");
    var first = line.querySelector("select, input");
    if (first) first.focus();
  });
})();
