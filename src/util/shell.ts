/** A command line as a POSIX shell reads it: each argument quoted only when it needs to be. */
function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

export function formatCommand(command: string, args: readonly string[]): string {
  return [command, ...args].map(quote).join(" ");
}

/** `{word}` in a command template; `${VAR}` is the shell's own and left alone. */
const PLACEHOLDER = /(?<!\$)\{(\w+)\}/g;

/** The first placeholder of `template` not in `allowed`, or null. */
export function unknownPlaceholder(template: string, allowed: readonly string[]): string | null {
  for (const m of template.matchAll(PLACEHOLDER)) if (!allowed.includes(m[1] as string)) return `{${m[1]}}`;
  return null;
}

/** A shell command template with each `{word}` replaced by its value, shell-quoted. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (whole, k: string) => {
    const v = values[k];
    return v === undefined ? whole : quote(v);
  });
}
