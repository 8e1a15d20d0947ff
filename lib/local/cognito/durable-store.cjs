// Preloaded into the cognito-local child (node --require). cognito-local keeps each user pool in a JSON
// file that StormDB rewrites in place with fs.writeFile: a kill -9 mid-write leaves a truncated file and
// the next start refuses it ("invalid or corrupted format"), and two overlapping saves can interleave.
// Here every save writes a temporary file, fsyncs it and renames it over the pool (atomic on POSIX),
// and saves to one file run one after another, so the file is always a whole earlier or later state.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const cognitoRoot = path.dirname(require.resolve('cognito-local/package.json'));
const LocalEngine = require(require.resolve('stormdb/src/engine/local.js', { paths: [cognitoRoot] }));

const pendingByPath = new Map();

function writeDurably(file, text) {
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(temporary, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
}

LocalEngine.prototype.write = function write(data) {
  const text = this.serialize(data);
  if (!this.async) return (writeDurably(this.path, text), null);
  const previous = pendingByPath.get(this.path) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => writeDurably(this.path, text));
  pendingByPath.set(this.path, next);
  return next;
};
