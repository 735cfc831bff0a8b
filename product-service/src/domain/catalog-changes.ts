/**
 * Told, after commit, which products a write changed: this replica's search index and caches
 * follow at once (read-your-writes), and the relay publishes the change for the other replicas.
 */
export type ProductsChanged = (productIds: readonly string[]) => Promise<void>;
