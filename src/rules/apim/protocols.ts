import { type Value } from '../../resources/value.js';

export const OLD_PROTOCOLS = [
  'Protocols.Tls10',
  'Protocols.Tls11',
  'Protocols.Ssl30',
  'Backend.Protocols.Tls10',
  'Backend.Protocols.Tls11',
  'Backend.Protocols.Ssl30',
];

export function isFalse(v: Value | undefined): boolean {
  return v === false || (typeof v === 'string' && v.toLowerCase() === 'false');
}
