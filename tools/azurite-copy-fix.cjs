// Loaded into the Azurite process (node --require): Azurite's Copy Blob (3.37 still) gives the copy the
// source's own page-range list, so writing or clearing pages of a copied page blob changes the
// source too. Give each copy its own list, as Azurite already does for snapshots.
const Store = require('azurite/dist/src/blob/persistence/LokiBlobMetadataStore.js').default;

for (const method of ['startCopyFromURL', 'copyFromURL']) {
  const original = Store.prototype[method];
  Store.prototype[method] = async function (context, source, destination, ...rest) {
    const result = await original.call(this, context, source, destination, ...rest);
    const copy = this.db.getCollection(this.BLOBS_COLLECTION).findOne({
      accountName: destination.account,
      containerName: destination.container,
      name: destination.blob,
      snapshot: '',
    });
    if (copy?.pageRangesInOrder) copy.pageRangesInOrder = copy.pageRangesInOrder.slice();
    return result;
  };
}
