// The slice of digits config.ts serves to the page, as base64 (see slice.ts for the layout).
declare module "virtual:mnist-slice" {
  export const digitsBase64: string;
}
