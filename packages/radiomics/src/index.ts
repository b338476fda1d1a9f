export const PACKAGE_NAME = '@radcam/radiomics';
