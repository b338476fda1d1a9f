/**
 * @radcam/volume-io — read and write NIfTI-1/2, NRRD, MetaImage, DICOM series and RTSTRUCT.
 *
 * World coordinates are LPS (DICOM / ITK). NIfTI's RAS is converted on read and back on write.
 * The byte-level codec (`decodeVolume`, `encodeVolume`, `decodeDicomSeries`, …) is browser-safe;
 * the path-based functions (`readVolume`, `writeVolume`, …) load `node:fs` on demand.
 */
export const PACKAGE_NAME = '@radcam/volume-io';

export type { DType } from './dtype.js';
export { DTYPE_BYTES, dtypeOf } from './dtype.js';
export { gzipBackend, setForceFflate, type CompressOptions } from './gzip.js';
export {
  NIFTI_TYPES,
  type NiftiHeader,
  type DecodeNiftiOptions,
  type EncodeNiftiOptions,
  parseNiftiHeader,
  niftiGeometry,
  decodeNifti,
} from './nifti.js';
export { type NrrdHeader, type NrrdLayout, parseNrrdHeader, nrrdLayout, decodeNrrd, encodeNrrd, type DecodeNrrdOptions, type EncodeNrrdOptions } from './nrrd.js';
export { type MetaHeader, type MetaLayout, parseMetaHeader, metaLayout, decodeMetaImage, encodeMetaImage, type DecodeMetaOptions, type EncodeMetaOptions } from './metaimage.js';
export {
  type DicomFile,
  type DicomSeriesOptions,
  SUPPORTED_TRANSFER_SYNTAXES,
  TRANSFER_SYNTAX_NAMES,
  decodeDicomSeries,
  looksLikeDicom,
} from './dicom.js';
export { type RtstructRoi, type RtstructMaskOptions, listRtstructRoisFromBytes, rtstructMaskFromBytes } from './rtstruct.js';
export {
  type VolumeInfo,
  type VolumeFormat,
  type DecodeContext,
  type InfoContext,
  type EncodeContext,
  type EncodedFile,
  type DecodeVolumeOptions,
  type EncodeVolumeOptions,
  volumeFormats,
  registerVolumeFormats,
  resolveFormat,
  formatForFilename,
  detectFormat,
  decodeVolume,
  decodeVolumeInfo,
  encodeVolume,
  encodeVolumeFiles,
  niftiFormat,
  nrrdFormat,
  metaImageFormat,
  dicomFormat,
} from './formats.js';
export {
  type ReadVolumeOptions,
  type WriteVolumeOptions,
  type ReadMaskOptions,
  readVolume,
  readVolumeInfo,
  writeVolume,
  readMask,
  readDicomSeries,
  listRtstructRois,
  readRtstructMask,
} from './node.js';
