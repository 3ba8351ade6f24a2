/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device model behind a controller, private to core/model*.c and
 * io/zns.c.  A controller has one model of one kind (kind=): the
 * page-mapped FTL (core/model.c, ftl/ftl.c) or the zoned model
 * (core/model_zns.c, ftl/zns.c).  Both run on the same flash timing layer
 * (ftl/flash.c) and on the dispatcher only.
 *
 * What the rest of the controller needs from any model (its size, idle
 * work, wear, debugfs, what becomes of a namespace that is made, erased or
 * formatted) goes through struct nvmev_model_ops; the I/O path calls the
 * kind's own command functions: io/io.c the FTL's by byte range,
 * io/zns.c the zoned model's by LBA.
 */
#ifndef _NVMEV_MODEL_H
#define _NVMEV_MODEL_H

#include "nvmev.h"
#include "../ftl/ftl.h"
#include "../ftl/zns.h"
#include "../ftl/vwc.h"

struct nvmev_model;

struct nvmev_model_ops {
	const char *name;		/* as kind= takes it */
	/* build from the resolved flash parameters and the controller's cfg */
	int (*init)(struct nvmev_ctrl *ctrl, struct nvmev_model *m);
	void (*exit)(struct nvmev_model *m);
	u64 (*logical_bytes)(const struct nvmev_model *m);
	size_t (*metadata_bytes)(const struct nvmev_model *m);
	void (*idle)(struct nvmev_model *m, u64 now);
	bool (*idle_pending)(struct nvmev_model *m);
	u8 (*percentage_used)(struct nvmev_model *m);
	/*
	 * A namespace was made (its extent and LBA size set), or its data
	 * is to go (delete, format: @lba_shift is the new LBA size).
	 * Dispatcher, nothing in flight.
	 */
	int (*ns_setup)(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns);
	void (*ns_erase)(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns,
			 unsigned int lba_shift);
	void (*debugfs)(struct nvmev_ctrl *ctrl);
	/* debugfs model: the kind's own figures after the flash's, or NULL */
	void (*show)(struct nvmev_ctrl *ctrl, struct seq_file *s);
};

struct nvmev_model {
	const struct nvmev_model_ops *ops;
	struct ftl_params params;	/* the flash, as resolved */
	union {
		struct {		/* kind conv */
			struct ftl ftl;
			struct ftl_vwc vwc;	/* volatile write cache */
			/* persistence (core/model.c): OOB area in the region */
			bool persist;
			u64 sb_off;		/* superblock, then the OOB area */
			struct ftl_recovery rec;	/* the last power-on scan */
			u64 rec_ns;		/* its duration */
			u32 recoveries;
		};
		struct {		/* kind zns */
			struct zns zns;
			struct zns_params zparams;	/* as resolved */
		};
	};
};

extern const struct nvmev_model_ops nvmev_model_conv_ops;
extern const struct nvmev_model_ops nvmev_model_zns_ops;

/* the controller's zoned model (kind zns only) */
static inline struct zns *nvmev_zns(struct nvmev_ctrl *ctrl)
{
	return &ctrl->model->zns;
}

#endif /* _NVMEV_MODEL_H */
