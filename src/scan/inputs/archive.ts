/** The Python sources of a wheel, sdist or zip, read in memory by the python-package archive reader. */
import { readArchive, type EntryPicker } from '../../python-package/archive-reader.js';
import { isNotebookName, isPthName, isPythonName, looksBinary, pthAsPython, type InputLimits, type SourceSink } from './source.js';
import { notebookSource } from './notebook.js';

export { archiveKind } from '../../python-package/archive-reader.js';

/** Hands each Python source, .pth file and notebook of an archive to the sink. */
export function readArchiveSources(archiveName: string, data: Uint8Array, limits: InputLimits, sink: SourceSink): Promise<void> {
  return readArchive(archiveName, data, limits, (file, reason) => sink.skip(file, reason), sourcePicker(archiveName, sink));
}

function sourcePicker(archiveName: string, sink: SourceSink): EntryPicker {
  return {
    wanted: (name) => isPythonName(name) || isPthName(name) || isNotebookName(name),
    take: (entry, bytes) => emit(sink, archiveName, entry, bytes),
  };
}

function emit(sink: SourceSink, archiveName: string, entry: string, bytes: Uint8Array): void {
  const display = `${archiveName}!/${entry.replace(/^\.?\/+/, '')}`;
  if (looksBinary(bytes)) return sink.skip(display, 'binary content');
  if (isNotebookName(entry)) {
    const nb = notebookSource(display, bytes);
    if ('problem' in nb) sink.skip(display, nb.problem);
    else sink.source(nb);
    return;
  }
  sink.source({ displayPath: display, bytes: isPthName(entry) ? pthAsPython(bytes) : bytes });
}
