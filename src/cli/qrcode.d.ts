// Minimal types for `qrcode` 1.5 (the package ships none and @types/qrcode is not a dependency):
// only the terminal renderer the CLI uses.
declare module 'qrcode' {
  export interface ToStringOptions {
    type?: 'terminal' | 'utf8' | 'svg'
    small?: boolean
    errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H'
  }
  export function toString(text: string, options?: ToStringOptions): Promise<string>
  const QRCode: { toString: typeof toString }
  export default QRCode
}
