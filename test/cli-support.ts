/** Run the CLI in-process and capture what it prints. */
import { main } from '../cli/main.ts';

export async function runCli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t), errIsTTY: false, color: false });
  return { code, out, err };
}
