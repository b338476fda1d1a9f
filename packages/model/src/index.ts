export const PACKAGE_NAME = '@radcam/model';
