// cloudbook: the browser half of google.colab.files.upload().
// Runs in the cell's output frame. The kernel drives it with output.eval_js():
//   cloudbookUpload.start(id, chunkSize) -> {action: 'files', files: [{name, size, type}]}
//                                         | {action: 'cancel'}
//   cloudbookUpload.next(id)             -> {action: 'append', file, offset, data: base64}
//                                         | {action: 'complete'} | {action: 'cancel'}
// Files are read one slice at a time, so neither side ever holds a whole file.
(() => {
  if (window.cloudbookUpload) return;
  const uploads = {};

  const base64 = (blob) =>
    new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => {
        const url = String(reader.result);
        resolve(url.slice(url.indexOf(',') + 1));
      };
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    });

  const describe = (n) => {
    const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) {
      n /= 1024;
      i++;
    }
    return (i ? n.toFixed(1) : String(n)) + ' ' + units[i];
  };

  window.cloudbookUpload = {
    start(id, chunkSize) {
      const input = document.getElementById(id + '-input');
      const cancel = document.getElementById(id + '-cancel');
      const status = document.getElementById(id + '-status');
      const progress = document.getElementById(id + '-progress');
      input.disabled = false;
      cancel.disabled = false;
      status.textContent = '';
      return new Promise((resolve) => {
        const state = {files: [], index: 0, offset: 0, chunkSize, cancelled: false,
                       done: 0, total: 0, input, cancel, status, progress};
        uploads[id] = state;
        cancel.onclick = () => {
          state.cancelled = true;
          input.disabled = true;
          cancel.disabled = true;
          status.textContent = 'Upload cancelled.';
          resolve({action: 'cancel'});
        };
        input.onchange = () => {
          state.files = Array.from(input.files || []);
          input.disabled = true;
          state.total = state.files.reduce((sum, f) => sum + f.size, 0);
          progress.max = Math.max(state.total, 1);
          progress.value = 0;
          progress.hidden = false;
          resolve({action: 'files',
                   files: state.files.map((f) => ({name: f.name, size: f.size, type: f.type}))});
        };
      });
    },

    async next(id) {
      const state = uploads[id];
      if (!state || state.cancelled) return {action: 'cancel'};
      while (state.index < state.files.length &&
             state.offset >= state.files[state.index].size) {
        state.index++;
        state.offset = 0;
      }
      if (state.index >= state.files.length) {
        state.cancel.disabled = true;
        state.progress.value = state.progress.max;
        state.status.textContent = state.files
          .map((f) => `${f.name} (${f.type || 'n/a'}) - ${describe(f.size)}`)
          .join('\n');
        delete uploads[id];
        return {action: 'complete'};
      }
      const file = state.files[state.index];
      const slice = file.slice(state.offset, state.offset + state.chunkSize);
      const data = await base64(slice);
      const reply = {action: 'append', file: state.index, offset: state.offset, data};
      state.offset += slice.size;
      state.done += slice.size;
      state.progress.value = state.done;
      state.status.textContent =
        `${file.name}: ${Math.round((100 * state.offset) / Math.max(file.size, 1))}% done`;
      return reply;
    },
  };
})();
