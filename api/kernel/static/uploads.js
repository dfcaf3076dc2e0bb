/* Uploads on choice, shared by the self-assessment's evidence and the reviewers' finding photos:
   every `form.upload` sends each file chosen in one of its file inputs (the camera's 拍照 or the
   file picker) as soon as it is chosen, with the form's hidden fields, and puts the answer (the
   updated list) into the element named by `data-list`. A photo larger than the form's
   `data-max` bytes (or than 2560 px) is first scaled down in a canvas, so phones' photos fit.
   The texts come from the page's first element with `data-uploading`. */
(function () {
  "use strict";
  var LONGEST = 2560;
  var holder = document.querySelector("[data-uploading]");
  if (!holder) return;
  var text = holder.dataset;
  var csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"];

  function shrink(file, limit) {
    return new Promise(function (resolve) {
      if (!/^image\/(jpeg|png|webp)$/.test(file.type)) return resolve(file);
      var img = new Image();
      img.onload = function () {
        var side = Math.max(img.naturalWidth, img.naturalHeight);
        if (file.size <= limit && side <= LONGEST) return resolve(file);
        var scale = Math.min(1, LONGEST / side);
        (function attempt(tries) {
          var canvas = document.createElement("canvas");
          canvas.width = Math.round(img.naturalWidth * scale);
          canvas.height = Math.round(img.naturalHeight * scale);
          canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
          canvas.toBlob(function (blob) {
            if (blob && (blob.size <= limit || tries === 0)) {
              var name = file.name.replace(/\.\w+$/, "") + ".jpg";
              return resolve(new File([blob], name, { type: "image/jpeg" }));
            }
            scale *= 0.75;
            attempt(tries - 1);
          }, "image/jpeg", 0.85);
        })(5);
      };
      img.onerror = function () { resolve(file); };
      var reader = new FileReader(); // a data: URL, which the pages' CSP allows for images
      reader.onload = function () { img.src = reader.result; };
      reader.onerror = function () { resolve(file); };
      reader.readAsDataURL(file);
    });
  }

  function send(form, file) {
    var body = new FormData();
    form.querySelectorAll("input[type=hidden]").forEach(function (field) {
      if (field.name !== "_csrf_token") body.append(field.name, field.value);
    });
    return shrink(file, Number(form.dataset.max)).then(function (small) {
      body.append("file", small, small.name);
      return fetch(form.action, {
        method: "POST",
        body: body,
        headers: { "x-csrftoken": csrf, "hx-request": "true" },
        credentials: "same-origin",
      });
    }).then(function (r) {
      return r.text().then(function (html) { return { ok: r.ok, html: html }; });
    });
  }

  document.querySelectorAll("form.upload").forEach(function (form) {
    var state = form.querySelector(".upload-status");
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      input.addEventListener("change", function () {
        var files = Array.prototype.slice.call(input.files);
        if (!files.length) return;
        state.textContent = text.uploading;
        files.reduce(function (done, file) {  // one after the other, each into the list
          return done.then(function (ok) {
            if (!ok) return false;
            return send(form, file).then(function (answer) {
              if (answer.ok) document.getElementById(form.dataset.list).innerHTML = answer.html;
              else state.innerHTML = answer.html;
              return answer.ok;
            });
          });
        }, Promise.resolve(true)).then(function (ok) {
          if (ok) state.textContent = "✓ " + text.uploaded;
        }).catch(function () {
          state.textContent = text.uploadFailed;
        }).then(function () { input.value = ""; });
      });
    });
  });
})();
