// Loaded into the Azurite process (node --require): Azurite 3.35's Copy Blob gives the copy the
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

// Azurite 3.35 checks a copy source given with a SAS by GETting it with ?comp=metadata, an
// operation it does not know, so the GET downloads the whole blob into one string: any copy of a
// page blob over 512 MiB (every packaging disk) fails with a 500. A HEAD (Get Blob Properties)
// checks the same SAS without the body. Azurite uses axios for this check only.
const axios = require('node:module').createRequire(require.resolve('azurite/dist/src/blob/handlers/BlobHandler.js'))('axios');
const get = axios.get;
axios.get = function (url, config) {
  return new URL(String(url)).searchParams.get('comp') === 'metadata' ? axios.head(url, config) : get.call(this, url, config);
};
