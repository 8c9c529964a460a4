// A small YAML reader for `--conf` files: JSON, flow collections, block mappings and sequences, quoted and plain
// scalars, comments. Enough for sandbox configs; anchors, tags and block scalars are refused. Nodes keep their type
// (int / float / str / bool / null / map / seq) so conf.mjs can word type errors like serde does, and duplicate keys
// are an error reported with the real binary's layout.

export class YamlError extends Error {
  constructor(message, line, col, source) {
    super(message);
    this.line = line;
    this.col = col;
    this.source = source;
  }

  /** `error: line L column C: MSG` plus the snippet block msb prints. */
  render() {
    const lines = this.source.split('\n');
    const first = Math.max(1, this.line - 2);
    const width = String(this.line).length;
    const pad = ' '.repeat(width);
    const shown = [];
    for (let n = first; n <= this.line; n += 1) shown.push(`${String(n).padStart(width)} | ${lines[n - 1] ?? ''}`);
    return [
      `error: line ${this.line} column ${this.col}: ${this.message}`,
      `${pad}--> <input>:${this.line}:${this.col}`,
      `${pad} |`,
      ...shown,
      `${pad} | ${' '.repeat(this.col - 1)}^ ${this.message}`,
    ].join('\n');
  }
}

export function parseYaml(text) {
  return new Parser(text).document();
}

class Parser {
  constructor(text) {
    this.s = text.replace(/\r\n/g, '\n');
    this.p = 0;
  }

  document() {
    this.skipBlank();
    if (this.s.startsWith('---', this.p)) {
      this.p += 3;
      this.skipBlank();
    }
    if (this.p >= this.s.length) return { t: 'null' };
    const node = this.blockNode(this.col());
    this.skipBlank();
    if (this.p < this.s.length && !this.s.startsWith('...', this.p)) this.error('did not find expected end of document');
    return node;
  }

  // --- positions -------------------------------------------------------------------------------------------
  col(p = this.p) {
    return p - (this.s.lastIndexOf('\n', p - 1) + 1) + 1;
  }

  line(p = this.p) {
    let n = 1;
    for (let i = 0; i < p; i += 1) if (this.s[i] === '\n') n += 1;
    return n;
  }

  error(message, p = this.p) {
    throw new YamlError(message, this.line(p), this.col(p), this.s);
  }

  /** Skips spaces, comments and newlines. */
  skipBlank() {
    for (;;) {
      const c = this.s[this.p];
      if (c === ' ' || c === '\t' || c === '\n') this.p += 1;
      else if (c === '#') while (this.p < this.s.length && this.s[this.p] !== '\n') this.p += 1;
      else return;
    }
  }

  /** Skips spaces and a trailing comment on the current line. */
  skipInline() {
    while (this.s[this.p] === ' ' || this.s[this.p] === '\t') this.p += 1;
    if (this.s[this.p] === '#') while (this.p < this.s.length && this.s[this.p] !== '\n') this.p += 1;
  }

  atLineEnd() {
    return this.p >= this.s.length || this.s[this.p] === '\n';
  }

  // --- block structure ---------------------------------------------------------------------------------------
  blockNode(indent) {
    const c = this.s[this.p];
    if (c === '&' || c === '*' || c === '!' || c === '|' || c === '>') this.error('anchors, tags and block scalars are not supported by the simulator');
    if (c === '-' && /[ \n]/.test(this.s[this.p + 1] ?? '\n')) return this.blockSeq(indent);
    if (c === '[' || c === '{') {
      const node = this.flowNode();
      this.skipInline();
      return node;
    }
    if (this.looksLikeKey()) return this.blockMap(indent);
    const node = this.inlineScalar();
    this.skipInline();
    return node;
  }

  looksLikeKey() {
    const start = this.p;
    try {
      if (this.s[this.p] === '"' || this.s[this.p] === "'") this.quoted();
      else this.plain(true);
      this.skipSpaces();
      return this.s[this.p] === ':' && /[ \t\n]/.test(this.s[this.p + 1] ?? '\n');
    } catch {
      return false;
    } finally {
      this.p = start;
    }
  }

  skipSpaces() {
    while (this.s[this.p] === ' ' || this.s[this.p] === '\t') this.p += 1;
  }

  blockMap(indent) {
    const node = { t: 'map', entries: [], line: this.line(), col: this.col() };
    const seen = new Set();
    for (;;) {
      const keyPos = this.p;
      const key = this.s[this.p] === '"' || this.s[this.p] === "'" ? this.quoted() : this.plain(true);
      key.line = this.line(keyPos);
      key.col = this.col(keyPos);
      const name = String(key.v ?? '');
      if (seen.has(name)) this.error(`duplicate mapping key: ${name}, set DuplicateKeyPolicy in Options if acceptable`, keyPos);
      seen.add(name);
      this.skipSpaces();
      if (this.s[this.p] !== ':') this.error('could not find expected \':\'');
      this.p += 1;
      this.skipInline();
      let value;
      if (this.atLineEnd()) {
        const save = this.p;
        this.skipBlank();
        const childCol = this.col();
        const isSeqSameIndent = childCol === indent && this.s[this.p] === '-';
        if (this.p < this.s.length && (childCol > indent || isSeqSameIndent)) value = this.blockNode(childCol);
        else {
          this.p = save;
          value = { t: 'null' };
        }
      } else {
        value = this.blockNode(indent + 1);
      }
      node.entries.push([key, value]);
      const save = this.p;
      this.skipBlank();
      if (this.p >= this.s.length || this.col() !== indent || this.s.startsWith('...', this.p)) {
        if (this.p < this.s.length && this.col() > indent && !this.s.startsWith('...', this.p)) this.error('mapping values are not allowed in this context');
        this.p = save;
        return node;
      }
    }
  }

  blockSeq(indent) {
    const node = { t: 'seq', items: [], line: this.line(), col: this.col() };
    for (;;) {
      this.p += 1; // the dash
      this.skipInline();
      if (this.atLineEnd()) {
        const save = this.p;
        this.skipBlank();
        if (this.p < this.s.length && this.col() > indent) node.items.push(this.blockNode(this.col()));
        else {
          this.p = save;
          node.items.push({ t: 'null' });
        }
      } else {
        node.items.push(this.blockNode(this.col()));
      }
      const save = this.p;
      this.skipBlank();
      if (this.p >= this.s.length || this.col() !== indent || this.s[this.p] !== '-') {
        this.p = save;
        return node;
      }
    }
  }

  // --- flow structure ----------------------------------------------------------------------------------------
  flowNode() {
    this.skipBlank();
    const c = this.s[this.p];
    if (c === '[') return this.flowSeq();
    if (c === '{') return this.flowMap();
    if (c === '"' || c === "'") return this.quoted();
    return this.plain(false, true);
  }

  flowSeq() {
    const node = { t: 'seq', items: [], line: this.line(), col: this.col() };
    this.p += 1;
    for (;;) {
      this.skipBlank();
      if (this.s[this.p] === ']') {
        this.p += 1;
        return node;
      }
      node.items.push(this.flowNode());
      this.skipBlank();
      if (this.s[this.p] === ',') this.p += 1;
      else if (this.s[this.p] !== ']') this.error("did not find expected ',' or ']'");
    }
  }

  flowMap() {
    const node = { t: 'map', entries: [], line: this.line(), col: this.col() };
    const seen = new Set();
    this.p += 1;
    for (;;) {
      this.skipBlank();
      if (this.s[this.p] === '}') {
        this.p += 1;
        return node;
      }
      const keyPos = this.p;
      const key = this.s[this.p] === '"' || this.s[this.p] === "'" ? this.quoted() : this.plain(true, true);
      const name = String(key.v ?? '');
      if (seen.has(name)) this.error(`duplicate mapping key: ${name}, set DuplicateKeyPolicy in Options if acceptable`, keyPos);
      seen.add(name);
      this.skipBlank();
      let value = { t: 'null' };
      if (this.s[this.p] === ':') {
        this.p += 1;
        this.skipBlank();
        if (this.s[this.p] !== ',' && this.s[this.p] !== '}') value = this.flowNode();
      }
      node.entries.push([key, value]);
      this.skipBlank();
      if (this.s[this.p] === ',') this.p += 1;
      else if (this.s[this.p] !== '}') this.error("did not find expected ',' or '}'");
    }
  }

  // --- scalars ---------------------------------------------------------------------------------------------
  inlineScalar() {
    if (this.s[this.p] === '"' || this.s[this.p] === "'") return this.quoted();
    return this.plain(false);
  }

  quoted() {
    const quote = this.s[this.p];
    const start = this.p;
    this.p += 1;
    let out = '';
    for (;;) {
      if (this.p >= this.s.length) this.error('found unexpected end of stream while scanning a quoted scalar', start);
      const c = this.s[this.p];
      if (quote === "'" && c === "'") {
        if (this.s[this.p + 1] === "'") {
          out += "'";
          this.p += 2;
          continue;
        }
        this.p += 1;
        break;
      }
      if (quote === '"' && c === '"') {
        this.p += 1;
        break;
      }
      if (quote === '"' && c === '\\') {
        out += this.escape();
        continue;
      }
      out += c;
      this.p += 1;
    }
    return { t: 'str', v: out };
  }

  escape() {
    const c = this.s[this.p + 1];
    const simple = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '/': '/', 0: '\0', b: '\b', f: '\f', ' ': ' ', e: '\x1b' };
    if (c in simple) {
      this.p += 2;
      return simple[c];
    }
    const width = { x: 2, u: 4, U: 8 }[c];
    if (width) {
      const hex = this.s.slice(this.p + 2, this.p + 2 + width);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) this.error('found unknown escape character while parsing a quoted scalar');
      this.p += 2 + width;
      return String.fromCodePoint(parseInt(hex, 16));
    }
    return this.error('found unknown escape character while parsing a quoted scalar');
  }

  /** A plain scalar up to the end of line (or `,]}` in flow context; or `: ` when it is a key). */
  plain(isKey, inFlow = false) {
    const start = this.p;
    while (this.p < this.s.length) {
      const c = this.s[this.p];
      if (c === '\n') break;
      if (c === '#' && (this.s[this.p - 1] === ' ' || this.s[this.p - 1] === '\t')) break;
      if (c === ':' && /[ \t\n,\]}]/.test(this.s[this.p + 1] ?? '\n') && (isKey || inFlow)) break;
      if (inFlow && (c === ',' || c === ']' || c === '}')) break;
      this.p += 1;
    }
    const text = this.s.slice(start, this.p).trimEnd();
    if (text === '' && isKey) this.error('did not find expected key', start);
    return resolvePlain(text);
  }
}

function resolvePlain(text) {
  if (text === '' || text === '~' || /^(null|Null|NULL)$/.test(text)) return { t: 'null' };
  if (/^(true|True|TRUE)$/.test(text)) return { t: 'bool', v: true };
  if (/^(false|False|FALSE)$/.test(text)) return { t: 'bool', v: false };
  if (/^[-+]?[0-9]+$/.test(text)) return { t: 'int', v: BigInt(text) };
  if (/^0x[0-9a-fA-F]+$/.test(text)) return { t: 'int', v: BigInt(text) };
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return { t: 'float', v: Number(text) };
  if (/^[-+]?\.(inf|Inf|INF)$/.test(text)) return { t: 'float', v: text.startsWith('-') ? -Infinity : Infinity };
  if (/^\.(nan|NaN|NAN)$/.test(text)) return { t: 'float', v: NaN };
  return { t: 'str', v: text };
}
