/*
 * LAB STAND-IN for NVIDIA cuDNN's cudnn_version.h (provision's sandbox lab only): the version
 * macros of cuDNN @CUDNN_SHORT@ as the real header defines them, nothing else.
 */
#ifndef CUDNN_VERSION_H_
#define CUDNN_VERSION_H_

#define CUDNN_MAJOR @CUDNN_MAJOR@
#define CUDNN_MINOR @CUDNN_MINOR@
#define CUDNN_PATCHLEVEL @CUDNN_PATCHLEVEL@

#define CUDNN_VERSION (CUDNN_MAJOR * 1000 + CUDNN_MINOR * 100 + CUDNN_PATCHLEVEL)

#endif /* CUDNN_VERSION_H_ */
