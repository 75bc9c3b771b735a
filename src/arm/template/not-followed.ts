import type { SourceLocation } from '../../load/source-file.js';
import { Unknown } from '../../resources/value.js';

/**
 * Why a nested deployment (or a Bicep module, lowered to one) was not followed: the groups the
 * coverage of a scan counts. Its resources are not checked, so a report must say so.
 */
export type NotFollowedKind = 'computed-link' | 'remote-link' | 'template-spec' | 'registry-module' | 'no-template' | 'unreadable' | 'refused' | 'too-deep';

/** One line per kind, for reports that group by reason. */
export const NOT_FOLLOWED_REASONS: Readonly<Record<NotFollowedKind, string>> = {
  'computed-link': 'the template link is computed at deployment',
  'remote-link': 'the linked template is remote (a URL) and is not fetched',
  'template-spec': 'template specs are not fetched',
  'registry-module': 'the registry module is not in the local cache',
  'no-template': 'the deployment has no template or template link that can be read',
  unreadable: 'the linked file is missing or is not a template',
  refused: 'the linked file is outside the sandbox or too large',
  'too-deep': 'deployments nest too deep',
};

/** A nested deployment or module that was not expanded, and why. */
export interface NotFollowed {
  kind: NotFollowedKind;
  /** The deployment's name, as evaluated (`<unknown>` placeholders included). */
  deployment: string;
  /** Display path of the file that declares it. */
  file: string;
  location?: SourceLocation;
  /** The particular reason: the URL, the path, what the sandbox said. */
  detail: string;
}

/** Why a template link cannot be read from the scanned files: an Unknown that keeps its kind for the coverage. */
export class UnfollowedLink extends Unknown {
  constructor(
    readonly kind: NotFollowedKind,
    reason: string,
  ) {
    super(reason);
  }
}

/** Where an expansion keeps what it did not follow (`ExpansionRun.notFollowed`). */
export function recordNotFollowed(into: { notFollowed?: NotFollowed[] }, entry: NotFollowed): void {
  (into.notFollowed ??= []).push(entry);
}
