/* A plain C client of libstrongroom.so that reaches every function through dlsym, as a Luna
 * application does: C_GetFunctionList for initialization, sessions, login and search, and the
 * vendor CA_CloneObject for the cloning itself. It clones every object the source partition's
 * Crypto Officer sees to the target partition and prints a summary.
 *
 * Usage: ca_clone_program <libstrongroom.so> <source slot> <source CO PIN> <target slot>
 *                         <target CO PIN>
 * Output: one line per object not cloned, then
 *   "source objects: S cloned: C skipped: K failed: F target objects: T"
 * Exit status: 0 when every object was cloned or skipped (already held), 1 when one failed,
 * 2 on a usage or set-up error. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkcs11/luna.h"

#define MAX_OBJECTS 100000UL

static CK_FUNCTION_LIST_PTR fl;

/* ISO C has no conversion from the object pointer dlsym returns to a function pointer; copying
 * the bytes is the portable spelling POSIX allows. */
static int load_symbol(void* lib, const char* name, void* fn, size_t fn_size) {
    void* p = dlsym(lib, name);
    if (p == NULL) {
        fprintf(stderr, "%s is not exported: %s\n", name, dlerror());
        return 0;
    }
    memcpy(fn, &p, fn_size);
    return 1;
}

static int parse_slot(const char* text, CK_SLOT_ID* out) {
    char* end = NULL;
    unsigned long v = strtoul(text, &end, 10);
    if (end == text || *end != '\0') return 0;
    *out = v;
    return 1;
}

static CK_RV open_as_officer(CK_SLOT_ID slot, const char* pin, CK_SESSION_HANDLE* out) {
    CK_RV rv = fl->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, out);
    if (rv != CKR_OK) return rv;
    return fl->C_Login(*out, CKU_CRYPTO_OFFICER, (CK_UTF8CHAR_PTR)pin, (CK_ULONG)strlen(pin));
}

/* Every object the session sees, into a caller array of `max` handles; the count, or -1. */
static long find_all(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE* out, CK_ULONG max) {
    CK_ULONG total = 0;
    if (fl->C_FindObjectsInit(s, NULL, 0) != CKR_OK) return -1;
    for (;;) {
        CK_ULONG n = 0;
        CK_ULONG room = max - total < 256 ? max - total : 256;
        if (room == 0 || fl->C_FindObjects(s, out + total, room, &n) != CKR_OK || n == 0) break;
        total += n;
    }
    if (fl->C_FindObjectsFinal(s) != CKR_OK) return -1;
    return (long)total;
}

static void label_of(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h, char* out, size_t size) {
    CK_ATTRIBUTE a;
    a.type = CKA_LABEL;
    a.pValue = out;
    a.ulValueLen = (CK_ULONG)(size - 1);
    if (fl->C_GetAttributeValue(s, h, &a, 1) != CKR_OK || a.ulValueLen >= size) a.ulValueLen = 0;
    out[a.ulValueLen] = '\0';
}

int main(int argc, char** argv) {
    CK_SLOT_ID source_slot = 0, target_slot = 0;
    if (argc != 6 || !parse_slot(argv[2], &source_slot) || !parse_slot(argv[4], &target_slot)) {
        fprintf(stderr, "usage: %s <module> <source slot> <source CO PIN> <target slot> "
                        "<target CO PIN>\n", argv[0]);
        return 2;
    }
    void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "cannot load %s: %s\n", argv[1], dlerror());
        return 2;
    }
    CK_C_GetFunctionList get_function_list = NULL;
    CK_CA_CloneObject clone_object = NULL;
    if (!load_symbol(lib, "C_GetFunctionList", &get_function_list, sizeof get_function_list) ||
        !load_symbol(lib, "CA_CloneObject", &clone_object, sizeof clone_object))
        return 2;
    if (get_function_list(&fl) != CKR_OK || fl->C_Initialize(NULL) != CKR_OK) {
        fprintf(stderr, "the module did not initialize\n");
        return 2;
    }

    CK_SESSION_HANDLE source = 0, target = 0;
    CK_RV rv = open_as_officer(source_slot, argv[3], &source);
    if (rv == CKR_OK) rv = open_as_officer(target_slot, argv[5], &target);
    CK_OBJECT_HANDLE* handles = calloc(MAX_OBJECTS, sizeof *handles);
    if (rv != CKR_OK || handles == NULL) {
        fprintf(stderr, "session set-up failed: 0x%lx\n", (unsigned long)rv);
        return 2;
    }
    long count = find_all(source, handles, MAX_OBJECTS);
    if (count < 0) {
        fprintf(stderr, "cannot list the source objects\n");
        return 2;
    }

    unsigned long cloned = 0, skipped = 0, failed = 0;
    for (long i = 0; i < count; ++i) {
        CK_OBJECT_HANDLE clone = CK_INVALID_HANDLE;
        rv = clone_object(target, source, 0, handles[i], &clone);
        if (rv == CKR_OK) {
            ++cloned;
        } else if (rv == CKR_OBJECT_ALREADY_EXISTS) {
            ++skipped;
        } else {
            char label[128];
            label_of(source, handles[i], label, sizeof label);
            printf("not cloned: handle %lu label '%s': 0x%08lx\n", (unsigned long)handles[i],
                   label, (unsigned long)rv);
            ++failed;
        }
    }
    long on_target = find_all(target, handles, MAX_OBJECTS);
    printf("source objects: %ld cloned: %lu skipped: %lu failed: %lu target objects: %ld\n", count,
           cloned, skipped, failed, on_target);

    free(handles);
    fl->C_CloseSession(source);
    fl->C_CloseSession(target);
    fl->C_Finalize(NULL);
    dlclose(lib);
    return failed == 0 && on_target >= 0 ? 0 : 1;
}
