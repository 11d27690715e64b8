/** Shell-style name globs (`web-*`, `db-?`, `app[12]`), matched against the whole name. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end > i + 1) {
        let body = glob.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        out += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      } else out += '\\[';
    } else out += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

export function isGlob(text: string): boolean {
  return /[*?[]/.test(text);
}

export const matchesGlob = (glob: string, name: string | undefined | null): boolean =>
  typeof name === 'string' && globToRegExp(glob).test(name);
