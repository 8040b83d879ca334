/* Symbol visibility for libtufsign: the library is built with
 * -fvisibility=hidden and only declarations marked TUFSIGN_API are exported. */
#ifndef TUFSIGN_EXPORT_H
#define TUFSIGN_EXPORT_H

#if defined(TUFSIGN_BUILDING_LIBRARY)
#define TUFSIGN_API __attribute__((visibility("default")))
#else
#define TUFSIGN_API
#endif

#endif
