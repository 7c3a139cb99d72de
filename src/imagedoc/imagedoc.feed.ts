import { scopedNamespace, type FeedChange, type FeedSource, type FeedTarget, shownDocuments } from '../infra/cache';
import { MANAGER_SCOPE } from './access';
import { COLLECTIONS_NS } from './collections/collections.service';
import { OPERATIONS_NS, operationsNamespace } from './documents/documents.service';

interface OwnedRecord {
  user_id?: { toString(): string };
}

interface DocumentRecord extends OwnedRecord {
  metadata?: { sha256?: string; derived_from?: { sha256?: string } };
}

/**
 * A change whose previous version is unknown and may have differed in `field`: a delete without a
 * pre-image, or an update that did not say which fields it touched (the stand-in never does).
 */
function previousUnknown(change: FeedChange<unknown>, field: string): boolean {
  if (change.before || change.operationType === 'insert') return false;
  if (change.operationType === 'update' && change.changedFields) return change.changedFields.some((f) => f.split('.')[0] === field);
  return true;
}

/** GET /collections is cached per owner and once for managers (everyone's): a change shows in both. */
export const COLLECTIONS_FEED: FeedSource<OwnedRecord> = {
  collection: 'collections',
  targets(change) {
    const owners = new Set(shownDocuments(change).map((c) => String(c.user_id)));
    // Without the previous owner (an outside delete, or an update that may have moved it), drop every owner's lists.
    if (previousUnknown(change, 'user_id') || owners.size === 0) return [{ prefix: `${COLLECTIONS_NS}.` }];
    return [MANAGER_SCOPE, ...owners].map((scope) => ({ namespace: scopedNamespace(COLLECTIONS_NS, scope) }));
  },
  everything: [{ prefix: `${COLLECTIONS_NS}.` }],
};

/**
 * Operation results are cached per file content (`operations.<sha256>`). A change to a document
 * drops the results of its content and of its source's content (a cached edit names the derived
 * document); an insert drops nothing. A deleted document without a pre-image may have been anyone's edit: every result goes.
 */
export const DOCUMENTS_FEED: FeedSource<DocumentRecord> = {
  collection: 'documents',
  targets(change) {
    // Results are keyed by content, so a new document alters none (an edit's result names the derived
    // document it inserted: the insert itself must not drop that result).
    if (change.operationType === 'insert') return [];
    if (change.operationType === 'delete' && !change.before) return [{ prefix: `${OPERATIONS_NS}.` }];
    const hashes = new Set<string>();
    for (const doc of shownDocuments(change)) {
      if (doc.metadata?.sha256) hashes.add(doc.metadata.sha256);
      if (doc.metadata?.derived_from?.sha256) hashes.add(doc.metadata.derived_from.sha256);
    }
    const targets: FeedTarget[] = [...hashes].map((sha) => ({ namespace: operationsNamespace(sha) }));
    return targets.length ? targets : [{ prefix: `${OPERATIONS_NS}.` }];
  },
  everything: [{ prefix: `${OPERATIONS_NS}.` }],
};
