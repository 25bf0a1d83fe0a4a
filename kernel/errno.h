/* Error numbers: functions return 0 or one of these negated (-EINVAL). */
#ifndef KERNEL_ERRNO_H
#define KERNEL_ERRNO_H

#define ENOENT	2	/* no such object */
#define ENOMEM	12	/* out of memory */
#define EFAULT	14	/* bad address */
#define EBUSY	16	/* in use, or not ready yet */
#define EEXIST	17	/* already there */
#define EINVAL	22	/* invalid argument */
#define ENOSPC	28	/* a fixed-size table is full */
#define ERANGE	34	/* out of range */

#endif
