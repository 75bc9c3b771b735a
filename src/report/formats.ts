/** The report formats, in their own module so that the CLI's help lists them without loading the reporters. */
export const FORMATS = ['pretty', 'json', 'sarif', 'html', 'junit', 'markdown', 'csv', 'github'] as const;
export type FormatName = (typeof FORMATS)[number];
